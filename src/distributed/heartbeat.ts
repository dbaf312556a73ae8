/**
 * Which workers are alive: each writes its row every few seconds. The run's --rate is shared
 * out among the live ones (a worker dead for HEARTBEAT_DEAD_SECONDS no longer counts).
 */
import { hostname } from "node:os";
import type pg from "pg";
import type { RateShare } from "../scan/live-rates.js";
import { SCHEMA } from "./schema.js";

export const HEARTBEAT_SECONDS = 5;
export const HEARTBEAT_DEAD_SECONDS = 15;

export interface Heartbeat {
  /** the records this worker has written, for the row */
  count(records: number, perSecond: number): void;
  stop(): Promise<void>;
}

export async function startHeartbeat(pool: pg.Pool, worker: string, run: string): Promise<Heartbeat> {
  let records = 0;
  let perSecond = 0;
  let stopped = false;
  // one write at a time, none after stop(): a late one would bring a stopped worker's row back
  let writing: Promise<unknown> = Promise.resolve();
  const beat = () => {
    writing = writing.then(() => (stopped ? undefined : write())).catch(() => {});
    return writing;
  };
  const write = () =>
    pool.query(
      `INSERT INTO ${SCHEMA}.workers (worker_id, run_id, host, pid) VALUES ($1, $2, $3, $4)
       ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), run_id = $2, records = $5, per_second = $6`,
      [worker, run, hostname(), process.pid, records, perSecond],
    );
  // the first row goes in before the first chunk, so the rate share counts this worker
  await pool.query(
    `INSERT INTO ${SCHEMA}.workers (worker_id, run_id, host, pid) VALUES ($1, $2, $3, $4)
     ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), run_id = $2`,
    [worker, run, hostname(), process.pid],
  );
  const timer = setInterval(beat, HEARTBEAT_SECONDS * 1000);
  timer.unref();
  return {
    count: (n, rate) => {
      records = n;
      perSecond = rate;
      // written at once too, not only at the next period
      void beat();
    },
    stop: async () => {
      clearInterval(timer);
      stopped = true;
      await writing;
      // gone at once rather than after HEARTBEAT_DEAD_SECONDS: the others' share grows now
      await pool.query(`DELETE FROM ${SCHEMA}.workers WHERE worker_id = $1`, [worker]).catch(() => {});
    },
  };
}

/** How many workers of the run are alive (this one included, once its first row is in). */
export async function liveWorkers(pool: pg.Pool, run: string): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*) AS n FROM ${SCHEMA}.workers
      WHERE run_id = $1 AND heartbeat_at > now() - make_interval(secs => $2)`,
    [run, HEARTBEAT_DEAD_SECONDS],
  );
  return Math.max(1, Number((rows[0] as { n: string }).n));
}

/**
 * This worker's share of a run's totals: --rate and --per-prefix-rate ÷ the live workers (0: no
 * limit), and no more than its own --max-rate. A prefix may be grabbed by every worker at once
 * (its addresses sit in many chunks), so each takes its part of the prefix's rate too.
 */
export async function rateShare(
  pool: pg.Pool,
  run: string,
  totals: { rate: number; perPrefixRate: number },
  maxRate: number,
): Promise<RateShare> {
  const workers = totals.rate > 0 || totals.perPrefixRate > 0 ? await liveWorkers(pool, run) : 1;
  const rate = totals.rate > 0 ? totals.rate / workers : 0;
  const capped = maxRate > 0 ? (rate > 0 ? Math.min(rate, maxRate) : maxRate) : rate;
  return { rate: capped, perPrefixRate: totals.perPrefixRate > 0 ? totals.perPrefixRate / workers : 0 };
}
