/**
 * The chunk queue, on pg-boss (10.x: 11 and later need Node 22): one queue per run, one job per
 * chunk. pg-boss claims jobs with SKIP LOCKED and gives an expired lease's job to the next
 * worker; completion takes our transaction's client, so a chunk's last records, its ledger row
 * and its completion commit together (commit.ts).
 */
import { createHash } from "node:crypto";
import PgBoss from "pg-boss";

export interface ChunkJob {
  run: string;
  chunk: number;
}

export function queueName(run: string): string {
  return `smtpsurvey-chunks-${run}`;
}

/** A job id that depends only on (run, chunk): enqueueing twice inserts nothing twice. */
export function chunkJobId(run: string, chunk: number): string {
  const h = createHash("sha256").update(`${run}\u0000${chunk}`).digest("hex");
  // shaped as a version-4 UUID (pg-boss's id column is uuid)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface QueueOptions {
  /** how often pg-boss's maintenance looks for expired leases (at least 1) */
  maintenanceSeconds?: number;
}

/** A chunk's lease and retries are its own, set when it is queued (enqueueChunks). */
export async function openQueue(url: string, options: QueueOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    max: 4,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? 5,
  });
  boss.on("error", (error) => process.stderr.write(`smtpsurvey: queue: ${error.message}\n`));
  await boss.start();
  return boss;
}

/** Enqueues chunks 0..count-1 of a run; idempotent (a run re-planned after a crash adds none). */
export async function enqueueChunks(
  boss: PgBoss,
  run: string,
  count: number,
  leaseSeconds: number,
): Promise<void> {
  const name = queueName(run);
  if (!(await boss.getQueue(name))) await boss.createQueue(name, { name, expireInSeconds: leaseSeconds });
  const batch = 1000;
  for (let first = 0; first < count; first += batch) {
    const jobs: PgBoss.JobInsert[] = [];
    for (let chunk = first; chunk < Math.min(count, first + batch); chunk++) {
      jobs.push({
        id: chunkJobId(run, chunk),
        name,
        data: { run, chunk } satisfies ChunkJob,
        expireInSeconds: leaseSeconds,
        retryLimit: 1_000_000, // a chunk is redone until it is done; nothing is given up
        retryDelay: 0,
      });
    }
    await boss.insert(jobs);
  }
}
