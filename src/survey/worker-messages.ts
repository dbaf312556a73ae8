/** What the main thread and an engine worker say to each other (worker-pool.ts, grab-worker.ts). */
import type { Status } from "../core/status.js";
import type { ScanJob, ScanStats } from "../scan/engine.js";
import type { EngineRecipe } from "./engine-recipe.js";

/** A worker's start: its share of the engine's settings. */
export interface WorkerSetup {
  recipe: EngineRecipe;
}

export type ToWorker =
  /** more jobs, in order */
  | { type: "jobs"; jobs: ScanJob[] }
  /** no more jobs: finish the sessions in flight, then report */
  | { type: "end" }
  /** interrupted: open nothing new, finish what is in flight, then report */
  | { type: "stop" };

export type FromWorker =
  /**
   * finished records as JSON Lines in UTF-8 (serialised once, moved, not copied);
   * ips/ports/statuses are their keys, in the same order
   */
  | { type: "records"; lines: Uint8Array; ips: string[]; ports: number[]; statuses: Status[] }
  /** the last message: the worker's engine has returned */
  | { type: "stats"; stats: ScanStats };
