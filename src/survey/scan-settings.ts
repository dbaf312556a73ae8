/** What a grab runs with once its flags are checked: the scope, the ports, the model, the engine's options. */
import type { Scope } from "../core/scope.js";
import type { Model } from "../fingerprint/model.js";
import type { EngineOptions } from "../scan/engine.js";
import type { PortSpec } from "../targets/ports.js";
import type { EngineRecipe } from "./engine-recipe.js";

export interface ScanSettings {
  scope: Scope;
  ports: PortSpec[];
  /** null: records are not identified */
  model: Model | null;
  /** engine threads (-w); 1 runs the engine on the main thread */
  workers: number;
  /** the engine's settings as data, for engine workers */
  recipe(resolvers: string[] | undefined): EngineRecipe;
  /** the engine's options for one run, cancelled through `signal` */
  engine(signal: AbortSignal, resolvers: string[] | undefined): EngineOptions;
}
