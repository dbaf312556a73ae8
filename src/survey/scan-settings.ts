/** What a grab runs with once its flags are checked: the scope, the ports, the model, the engine's options. */
import type { Scope } from "../core/scope.js";
import type { Model } from "../fingerprint/model.js";
import type { EngineOptions } from "../scan/engine.js";
import type { PortSpec } from "../targets/ports.js";

export interface ScanSettings {
  scope: Scope;
  ports: PortSpec[];
  /** null: records are not identified */
  model: Model | null;
  /** the engine's options for one run, cancelled through `signal` */
  engine(signal: AbortSignal, resolvers: string[] | undefined): EngineOptions;
}
