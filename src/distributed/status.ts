/** What a run's tables and queue say of it: `smtpsurvey status` and the coordinator's line. */
import type pg from "pg";
import type PgBoss from "pg-boss";
import { HEARTBEAT_DEAD_SECONDS } from "./heartbeat.js";
import { queueName } from "./queue.js";
import { SCHEMA } from "./schema.js";

export interface RunStatus {
  run: string;
  /** −1 while the run is still being planned */
  chunks: number;
  targets: number;
  chunksDone: number;
  /** claimed by a worker, not done */
  chunksLeased: number;
  /** waiting (or to be redone) */
  chunksPending: number;
  records: number;
  workers: Array<{ worker: string; host: string; records: number; perSecond: number }>;
}

export async function runStatus(pool: pg.Pool, boss: PgBoss, run: string): Promise<RunStatus> {
  const { rows } = await pool.query(
    `SELECT r.chunks, r.targets,
            (SELECT count(*) FROM ${SCHEMA}.chunks c WHERE c.run_id = r.run_id) AS done,
            (SELECT count(*) FROM ${SCHEMA}.records x WHERE x.run_id = r.run_id) AS records
       FROM ${SCHEMA}.runs r WHERE r.run_id = $1`,
    [run],
  );
  const row = rows[0] as { chunks: number; targets: string; done: string; records: string } | undefined;
  if (!row) throw new Error(`no run ${run} in this database`);
  const name = queueName(run);
  const queued = (await boss.getQueue(name)) !== null;
  const notDone = queued ? await boss.getQueueSize(name, { before: "completed" }) : 0;
  const pending = queued ? await boss.getQueueSize(name, { before: "active" }) : 0;
  const live = await pool.query(
    `SELECT worker_id, host, records, per_second FROM ${SCHEMA}.workers
      WHERE run_id = $1 AND heartbeat_at > now() - make_interval(secs => $2) ORDER BY worker_id`,
    [run, HEARTBEAT_DEAD_SECONDS],
  );
  return {
    run,
    chunks: row.chunks,
    targets: Number(row.targets),
    chunksDone: Number(row.done),
    chunksLeased: Math.max(0, notDone - pending),
    chunksPending: pending,
    records: Number(row.records),
    workers: live.rows.map((w) => {
      const r = w as { worker_id: string; host: string; records: string; per_second: number };
      return { worker: r.worker_id, host: r.host, records: Number(r.records), perSecond: r.per_second };
    }),
  };
}

/** One line: chunks done, leased and pending, records, sessions/s per worker, ETA. */
export function statusLine(status: RunStatus, elapsedSeconds: number): string {
  const rate = status.records / Math.max(1, elapsedSeconds);
  const left =
    status.chunks > 0
      ? (status.chunks - status.chunksDone) / Math.max(1e-9, status.chunksDone / elapsedSeconds)
      : 0;
  const eta = status.chunksDone > 0 && Number.isFinite(left) ? `, ETA ${Math.round(left)} s` : "";
  const perWorker = status.workers.map((w) => `${w.perSecond.toFixed(0)}/s`).join(" ");
  return (
    `smtpsurvey: run ${status.run}: chunks ${status.chunksDone}/${status.chunks} done, ` +
    `${status.chunksLeased} leased, ${status.chunksPending} pending; ${status.records} records (${rate.toFixed(0)}/s)` +
    `; ${status.workers.length} workers${perWorker ? ` (${perWorker})` : ""}${eta}`
  );
}
