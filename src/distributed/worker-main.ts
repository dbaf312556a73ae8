/**
 * `smtpsurvey worker`: works on every run in the database whose manifest matches this build
 * (tool version and rules), one chunk at a time, until stopped (or, with exitWhenIdle, until no
 * chunk is left). SIGTERM finishes the sessions in flight and gives the chunk back.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import pg from "pg";
import type { Scope } from "../core/scope.js";
import { TOOL_VERSION } from "../core/version.js";
import { LiveRates } from "../scan/live-rates.js";
import { grabChunk, OutsideOwnScope } from "./grab-chunk.js";
import { HEARTBEAT_SECONDS, rateShare, startHeartbeat } from "./heartbeat.js";
import { manifestMismatch, rulesHash } from "./manifest.js";
import { loadManifest } from "./plan-run.js";
import { openQueue } from "./queue.js";
import { migrate } from "./runs.js";
import { SCHEMA } from "./schema.js";
import { workChunks } from "./work-chunks.js";

export interface WorkerOptions {
  url: string;
  ownScope: Scope;
  concurrency?: number;
  maxRate?: number;
  exitWhenIdle: boolean;
  /** only this run (default: every run whose manifest matches) */
  run?: string;
  signal: AbortSignal;
  say(line: string): void;
}

export async function runWorker(options: WorkerOptions): Promise<{ chunks: number; records: number }> {
  const pool = new pg.Pool({ connectionString: options.url, max: 4 });
  pool.on("error", () => {});
  // a chunk's lease is its own, set when the coordinator queued it (survey --lease)
  const boss = await openQueue(options.url);
  const worker = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const rules = rulesHash();
  const total = { chunks: 0, records: 0 };
  const refused = new Set<string>();
  try {
    await migrate(pool);
    while (!options.signal.aborted) {
      const runs = await openRuns(pool, options.run);
      let worked = false;
      for (const run of runs) {
        if (options.signal.aborted) break;
        const manifest = await loadManifest(pool, run);
        if (!manifest || refused.has(run)) continue;
        const mismatch = manifestMismatch(manifest, TOOL_VERSION, rules);
        if (mismatch) {
          if (!refused.has(run)) options.say(`smtpsurvey worker: refusing ${mismatch}`);
          refused.add(run);
          continue;
        }
        const heartbeat = await startHeartbeat(pool, worker, run);
        const started = performance.now();
        try {
          const stats = await workChunks({
            boss,
            pool,
            run,
            worker,
            signal: options.signal,
            exitWhenIdle: true,
            onChunk: (so) => {
              const seconds = (performance.now() - started) / 1000;
              heartbeat.count(total.records + so.records, so.records / Math.max(seconds, 1e-3));
            },
            grab: async (chunk, emit, signal) => {
              const totals = {
                rate: manifest.recipe.limits.rate,
                perPrefixRate: manifest.recipe.limits.perPrefixRate ?? 0,
              };
              const share = () => rateShare(pool, run, totals, options.maxRate ?? 0);
              const live = new LiveRates(await share());
              // workers that come or go change every share while chunks are in flight, not after
              const timer = setInterval(() => {
                share().then(
                  (s) => live.set(s),
                  () => {},
                );
              }, HEARTBEAT_SECONDS * 1000);
              try {
                await grabChunk(
                  pool,
                  {
                    manifest,
                    ownScope: options.ownScope,
                    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
                    live,
                  },
                  chunk,
                  emit,
                  signal,
                );
              } finally {
                clearInterval(timer);
              }
            },
          });
          total.chunks += stats.chunks;
          total.records += stats.records;
          worked ||= stats.chunks > 0;
        } catch (error) {
          if (!(error instanceof OutsideOwnScope)) throw error;
          // the chunk went back for a worker allowed to touch it
          options.say(`smtpsurvey worker: leaving run ${run}: ${error.message}`);
          refused.add(run);
        } finally {
          await heartbeat.stop();
        }
      }
      if (!worked) {
        if (options.exitWhenIdle) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  } finally {
    await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
    await pool.end();
  }
  return total;
}

/** Runs planned to the end (chunks ≥ 0), oldest first. */
async function openRuns(pool: pg.Pool, only?: string): Promise<string[]> {
  const { rows } = await pool.query(
    `SELECT run_id FROM ${SCHEMA}.runs WHERE chunks >= 0 AND ($1::text IS NULL OR run_id = $1) ORDER BY created_at`,
    [only ?? null],
  );
  return rows.map((r) => (r as { run_id: string }).run_id);
}
