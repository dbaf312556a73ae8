/**
 * Grabbing one chunk with the one-machine engine: its targets from the run's table, every port
 * of the manifest, the run's engine settings. A worker's own --scope is checked first: a chunk
 * holding anything outside it is not this worker's to grab (OutsideOwnScope), and goes back.
 */
import type pg from "pg";
import type { Scope } from "../core/scope.js";
import { protocolNamed } from "../protocols/registry.js";
import { runScan } from "../scan/engine.js";
import type { LiveRates } from "../scan/live-rates.js";
import type { ScanRecord } from "../store/schema.js";
import { engineOptions } from "../survey/engine-recipe.js";
import { jobsForTarget } from "../survey/grab-stage.js";
import { loadIdentification } from "../survey/identification.js";
import type { RunManifest } from "./manifest.js";
import { chunkTargets } from "./plan-run.js";

export class OutsideOwnScope extends Error {}

export interface ChunkEngine {
  manifest: RunManifest;
  /** the worker's own --scope: what this machine's operator allows it to touch */
  ownScope: Scope;
  /** this worker's cap on sessions in flight, when lower than the run's (-c) */
  concurrency?: number;
  /** this worker's share of the run's --rate and --per-prefix-rate, its --max-rate within it, kept up to date (heartbeat.ts) */
  live?: LiveRates;
}

export async function grabChunk(
  pool: pg.Pool,
  engine: ChunkEngine,
  chunk: number,
  emit: (record: ScanRecord) => void,
  signal: AbortSignal,
): Promise<void> {
  const targets = await chunkTargets(pool, engine.manifest.run, chunk);
  for (const target of targets) {
    const verdict = engine.ownScope.check(target.ip);
    if (!verdict.allowed)
      throw new OutsideOwnScope(
        `chunk ${chunk} holds ${target.ip}, outside this worker's --scope (${verdict.reason})`,
      );
  }
  const jobs = targets.flatMap((target) => jobsForTarget(target, engine.manifest.ports));
  const identification = engine.manifest.recipe.identify ? await loadIdentification() : null;
  const options = engineOptions(engine.manifest.recipe, identification?.planner, signal);
  if (engine.concurrency !== undefined)
    options.concurrency = Math.min(options.concurrency, engine.concurrency);
  if (engine.live) options.live = engine.live;
  await runScan(
    each(jobs),
    protocolNamed,
    options,
    identification
      ? (record) => {
          record.software = identification.identify(record);
          emit(record);
        }
      : emit,
  );
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}
