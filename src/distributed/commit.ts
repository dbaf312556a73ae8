/**
 * Writing a chunk's records: batches inserted with ON CONFLICT (run_id, ip, port) DO NOTHING,
 * and the chunk's last batch, its ledger row and its completion in the queue in one
 * transaction, so that "done" and "written" never disagree. A worker that dies before that
 * commit leaves the chunk to be redone once its lease expires; what it had inserted is kept and
 * not inserted again.
 */
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { ScanRecord } from "../store/schema.js";
import { queueName } from "./queue.js";
import { SCHEMA } from "./schema.js";

export interface ChunkClaim {
  run: string;
  chunk: number;
  /** the queue's job id for the chunk */
  jobId: string;
}

async function insertRecords(
  client: pg.ClientBase,
  claim: ChunkClaim,
  records: readonly ScanRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const ips: string[] = [];
  const ports: number[] = [];
  const statuses: string[] = [];
  const bodies: string[] = [];
  for (const record of records) {
    ips.push(record.ip);
    ports.push(record.port);
    statuses.push(record.status);
    bodies.push(JSON.stringify(record));
  }
  const result = await client.query(
    `INSERT INTO ${SCHEMA}.records (run_id, ip, port, chunk, status, record)
     SELECT $1, ip::inet, port, $2, status, body::json
       FROM UNNEST($3::text[], $4::int[], $5::text[], $6::text[]) AS t(ip, port, status, body)
     ON CONFLICT (run_id, ip, port) DO NOTHING`,
    [claim.run, claim.chunk, ips, ports, statuses, bodies],
  );
  return result.rowCount ?? 0;
}

/** A batch in the middle of a chunk: its own transaction. Returns the rows new to the table. */
export function writeBatch(
  client: pg.ClientBase,
  claim: ChunkClaim,
  records: readonly ScanRecord[],
): Promise<number> {
  return insertRecords(client, claim, records);
}

/**
 * The chunk's last batch, its ledger row and its completion, in one transaction.
 * `failBeforeCommit` is for tests: the crash between the insert and the completion.
 */
export async function finishChunk(
  client: pg.ClientBase,
  boss: PgBoss,
  claim: ChunkClaim,
  worker: string,
  last: readonly ScanRecord[],
  recordsInChunk: number,
  failBeforeCommit?: () => void,
): Promise<void> {
  await client.query("BEGIN");
  try {
    await insertRecords(client, claim, last);
    await client.query(
      `INSERT INTO ${SCHEMA}.chunks (run_id, chunk, worker, records) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_id, chunk) DO NOTHING`,
      [claim.run, claim.chunk, worker, recordsInChunk],
    );
    const db: PgBoss.Db = {
      executeSql: async (text: string, values: unknown[]) => {
        const result = await client.query(text, values);
        return { rows: result.rows };
      },
    };
    await boss.complete(queueName(claim.run), claim.jobId, {}, { db });
    failBeforeCommit?.();
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
