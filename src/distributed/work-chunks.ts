/**
 * A worker's loop: claim a chunk from the run's queue, grab its targets, write its records in
 * batches, and finish it (commit.ts) — then the next, until the queue is empty (with
 * `exitWhenIdle`) or the signal stops it. A stopped worker finishes the sessions in flight and
 * gives the chunk back (it is redone from the start; what was written stays, once).
 */
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { ScanRecord } from "../store/schema.js";
import { type ChunkClaim, finishChunk, writeBatch } from "./commit.js";
import { keepLease } from "./lease.js";
import { type ChunkJob, queueName } from "./queue.js";

export interface WorkOptions {
  boss: PgBoss;
  pool: pg.Pool;
  run: string;
  worker: string;
  /** grabs one chunk: every record it makes goes to `emit` */
  grab: (chunk: number, emit: (record: ScanRecord) => void, signal: AbortSignal) => Promise<void>;
  /** records per batch insert */
  batchRecords?: number;
  signal: AbortSignal;
  /** return once no chunk is left to claim and none is leased */
  exitWhenIdle?: boolean;
  pollMs?: number;
  /** tests: called once per chunk before its last commit; throwing there is a crash before it */
  beforeCommit?: (claim: ChunkClaim) => void;
  /** tests: called after each chunk is claimed (a stall here outlives the lease) */
  afterClaim?: (claim: ChunkClaim) => Promise<void>;
  /** after each chunk is done, with the totals so far (the heartbeat's figures) */
  onChunk?: (stats: WorkStats) => void;
}

export interface WorkStats {
  chunks: number;
  records: number;
}

export async function workChunks(options: WorkOptions): Promise<WorkStats> {
  const name = queueName(options.run);
  const stats: WorkStats = { chunks: 0, records: 0 };
  const batchRecords = options.batchRecords ?? 500;
  while (!options.signal.aborted) {
    const [job] = await options.boss.fetch<ChunkJob>(name);
    if (!job) {
      if (options.exitWhenIdle && (await idle(options.boss, name))) break;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
      continue;
    }
    const claim: ChunkClaim = { run: options.run, chunk: job.data.chunk, jobId: job.id };
    await options.afterClaim?.(claim);
    // the job's own lease, as queued; renewed while this worker is on the chunk
    // (expireInSeconds comes back from PostgreSQL's EXTRACT as a numeric string)
    const lease = Number(job.expireInSeconds);
    const stopLease = lease > 0 ? keepLease(options.pool, name, claim.jobId, lease) : () => {};
    const client = await options.pool.connect();
    try {
      let pending: ScanRecord[] = [];
      let inChunk = 0;
      let writing: Promise<unknown> = Promise.resolve();
      const grabbing = options.grab(
        claim.chunk,
        (record) => {
          pending.push(record);
          inChunk += 1;
          if (pending.length >= batchRecords) {
            const batch = pending;
            pending = [];
            writing = writing.then(() => writeBatch(client, claim, batch));
          }
        },
        options.signal,
      );
      try {
        await grabbing;
      } catch (error) {
        // not this worker's chunk after all (its --scope), or the grab broke: give it back now
        // rather than at the lease's end; what was written stays
        await writing.catch(() => {});
        await options.boss.fail(name, claim.jobId, { reason: String(error) });
        throw error;
      }
      await writing;
      if (options.signal.aborted) {
        // stopped mid-chunk: give it back at once rather than wait for the lease
        await options.boss.fail(name, claim.jobId, { reason: "worker stopped" });
        break;
      }
      await finishChunk(client, options.boss, claim, options.worker, pending, inChunk, () =>
        options.beforeCommit?.(claim),
      );
      stats.chunks += 1;
      stats.records += inChunk;
      options.onChunk?.(stats);
    } finally {
      stopLease();
      client.release();
    }
  }
  return stats;
}

/** No chunk waiting, retrying or leased. */
async function idle(boss: PgBoss, name: string): Promise<boolean> {
  return (await boss.getQueueSize(name, { before: "completed" })) === 0;
}
