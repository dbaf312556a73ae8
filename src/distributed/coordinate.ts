/**
 * `survey --engine postgres://…`: the grab stage on PostgreSQL. The coordinator plans the run
 * (manifest, targets, chunks), runs `workers` local workers if asked, shows one progress line
 * for the whole run, and when every chunk is done writes records.jsonl from the database, after
 * which the survey goes on as on one machine. Killed, it is started again with --resume and
 * re-attaches to the same run (planning is idempotent; the workers never stopped).
 */
import pg from "pg";
import { Scope } from "../core/scope.js";
import type { ScanStats } from "../scan/engine.js";
import type { RemoteGrab, RemoteGrabInput, RemoteGrabOutcome } from "../survey/remote-grab.js";
import { exportRecords } from "./export-records.js";
import { newManifest } from "./manifest.js";
import { planRun } from "./plan-run.js";
import { openQueue } from "./queue.js";
import { migrate } from "./runs.js";
import { runStatus, statusLine } from "./status.js";
import { runWorker } from "./worker-main.js";

export interface CoordinatorOptions {
  url: string;
  /** local workers (0: only remote ones) */
  workers: number;
  leaseSeconds: number;
  chunkTargets: number;
  quiet: boolean;
}

export const DEFAULT_CHUNK_TARGETS = 16_384;

export function coordinator(options: CoordinatorOptions): RemoteGrab {
  return (input) => coordinate(options, input);
}

async function coordinate(options: CoordinatorOptions, input: RemoteGrabInput): Promise<RemoteGrabOutcome> {
  const pool = new pg.Pool({ connectionString: options.url, max: 4 });
  pool.on("error", () => {});
  const boss = await openQueue(options.url);
  const local: Array<Promise<unknown>> = [];
  const stopLocal = new AbortController();
  try {
    await migrate(pool);
    const recipe = input.settings.recipe(input.resolvers);
    const manifest = newManifest({
      run: input.runKey,
      recipe,
      ports: input.settings.ports,
      chunkTargets: options.chunkTargets,
      targets: input.targetsMeta(),
    });
    const planned = await planRun(
      pool,
      boss,
      manifest,
      { space: input.space, spaceTargets: input.targets.space, singles: input.targets.singles },
      options.leaseSeconds,
    );
    input.say(`engine: run ${manifest.run}: ${planned.targets} targets in ${planned.chunks} chunks`);
    for (let i = 0; i < options.workers; i++) {
      local.push(
        runWorker({
          url: options.url,
          ownScope: Scope.parse(recipe.scope),
          exitWhenIdle: true,
          run: manifest.run,
          signal: stopLocal.signal,
          say: input.say,
        }),
      );
    }
    const started = performance.now();
    for (;;) {
      const status = await runStatus(pool, boss, manifest.run);
      if (!options.quiet)
        process.stderr.write(`\r${statusLine(status, (performance.now() - started) / 1000)}\u001b[K`);
      if (status.chunksDone >= planned.chunks) break;
      if (input.signal.aborted) {
        if (!options.quiet) process.stderr.write("\n");
        return { kind: "interrupted", stats: emptyStats(true) };
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (!options.quiet) process.stderr.write("\n");
    const stats = await exportRecords(pool, manifest.run, input.recordsPath);
    input.say(`engine: ${stats.jobs} records written to ${input.recordsPath}`);
    return { kind: "done", stats };
  } finally {
    stopLocal.abort();
    await Promise.allSettled(local);
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
    await pool.end();
  }
}

function emptyStats(interrupted: boolean): ScanStats {
  return { jobs: 0, byStatus: {}, peakInFlight: 0, interrupted };
}
