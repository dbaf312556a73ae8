/**
 * The grab stage: a target stream × ports through the engine into a record output, with
 * identification, early warnings and signal handling. `smtpsurvey grab` and the survey's grab
 * stage both run it; how progress and notices are shown is the caller's (src/cli).
 */

import type { Target } from "../core/target.js";
import { identifyRecord } from "../fingerprint/identify.js";
import type { Model } from "../fingerprint/model.js";
import { protocolForPort, protocolNamed } from "../protocols/registry.js";
import { type EngineOptions, runScan, type ScanJob, type ScanStats } from "../scan/engine.js";
import type { RecordKey, RecordOutput } from "../store/record-output.js";
import type { ScanRecord } from "../store/schema.js";
import type { PortSpec } from "../targets/ports.js";
import { type EngineRecipe, shareOf } from "./engine-recipe.js";
import { tuneHeapForManySessions } from "./heap-tuning.js";
import { runPooledScan } from "./worker-pool.js";

export interface GrabRun {
  targets: AsyncIterable<Target>;
  ports: PortSpec[];
  engine: EngineOptions;
  /** more than one worker: the engine runs in that many threads, built from the recipe */
  pool?: { recipe: EngineRecipe; workers: number };
  controller: AbortController;
  output: RecordOutput;
  model: Model | null;
  /** counts every record as it is written; stopped when the grab ends */
  progress: GrabProgress;
  /** a line for the person running the grab (the interrupt messages) */
  notice: (line: string) => void;
  /** sees every record's key after it is written (early warnings) */
  onRecord?: (record: RecordKey) => void;
}

/** What the grab tells about its progress (the CLI's progress bar). */
export interface GrabProgress {
  record(status: ScanRecord["status"]): void;
  stop(): void;
}

export async function runGrab(run: GrabRun): Promise<ScanStats> {
  const progress = run.progress;
  const stopSignals = interruptOn(run.controller, run.output, run.notice);
  const jobs = jobsFor(run.targets, run.ports, run.output);
  const written = (key: RecordKey) => {
    progress.record(key.status);
    run.onRecord?.(key);
  };
  const pooled = Boolean(run.pool && run.pool.workers > 1);
  // each engine thread's share of -c, as the workers get it
  const restoreHeap = tuneHeapForManySessions(
    pooled,
    run.pool && pooled
      ? shareOf(run.pool.recipe, run.pool.workers).limits.concurrency
      : run.engine.concurrency,
  );
  try {
    const stats =
      run.pool && pooled
        ? await runPooledScan(jobs, run.pool.recipe, run.pool.workers, run.controller.signal, {
            records: (keys, lines) => {
              run.output.writeEncoded(keys, lines);
              for (const key of keys) written(key);
            },
          })
        : await runScan(jobs, protocolNamed, run.engine, (record) => {
            if (run.model) record.software = identifyRecord(run.model, record);
            run.output.write(record);
            written(record);
          });
    progress.stop();
    return stats;
  } finally {
    stopSignals();
    restoreHeap();
  }
}

async function* jobsFor(
  targets: AsyncIterable<Target>,
  ports: PortSpec[],
  output: RecordOutput,
): AsyncGenerator<ScanJob> {
  for await (const target of targets) {
    for (const job of jobsForTarget(target, ports)) if (output.claim(job.ip, job.port)) yield job;
  }
}

/** A target's sessions: one per port of the list, or its own port only (zgrab2 input names one). */
export function jobsForTarget(target: Target, ports: readonly PortSpec[]): ScanJob[] {
  const specs: readonly PortSpec[] =
    target.port !== undefined ? [{ port: target.port, protocol: null }] : ports;
  return specs.map((spec) => ({
    ip: target.ip,
    port: spec.port,
    protocol: spec.protocol ?? protocolForPort(spec.port),
    // the host name given, or the MX host the address came from
    name: target.name ?? target.mx ?? null,
    ...(target.country !== undefined ? { country: target.country } : {}),
    ...(target.asn !== undefined ? { asn: target.asn } : {}),
  }));
}

/**
 * SIGINT/SIGTERM: stop opening connections and let the sessions in flight end within their
 * timeouts; a second signal flushes what is finished and exits at once.
 */
function interruptOn(
  controller: AbortController,
  output: RecordOutput,
  notice: (line: string) => void,
): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      notice(`\nsmtpsurvey: ${signal}: finishing the sessions in flight (again to stop now)\n`);
      controller.abort();
      return;
    }
    output.flush();
    notice("smtpsurvey: stopped; run again with --resume to finish\n");
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
