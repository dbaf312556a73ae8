/** The run ledger: the schema, a run's manifest, and what a run's tables say of its progress. */
import type pg from "pg";
import { DDL, SCHEMA } from "./schema.js";

/** Creates the tables if they are not there (safe to run from every process at start). */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // one process at a time: CREATE … IF NOT EXISTS is not safe against itself in parallel
    await client.query("SELECT pg_advisory_lock(hashtext('smtpsurvey-migrate'))");
    await client.query(DDL);
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('smtpsurvey-migrate'))").catch(() => {});
    client.release();
  }
}

/** Stores a run's manifest once; a run planned again (a resumed coordinator) keeps the first. */
export async function createRun(
  pool: pg.Pool,
  run: string,
  manifest: object,
  chunks: number,
  targets: number,
): Promise<void> {
  await pool.query(
    `INSERT INTO ${SCHEMA}.runs (run_id, manifest, chunks, targets) VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id) DO NOTHING`,
    [run, JSON.stringify(manifest), chunks, targets],
  );
}

export interface RunCounts {
  records: number;
  distinct: number;
  chunksDone: number;
}

export async function runCounts(pool: pg.Pool, run: string): Promise<RunCounts> {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*) FROM ${SCHEMA}.records WHERE run_id = $1) AS records,
            (SELECT count(DISTINCT (ip, port)) FROM ${SCHEMA}.records WHERE run_id = $1) AS distinct,
            (SELECT count(*) FROM ${SCHEMA}.chunks WHERE run_id = $1) AS chunks`,
    [run],
  );
  const row = rows[0] as { records: string; distinct: string; chunks: string };
  return { records: Number(row.records), distinct: Number(row.distinct), chunksDone: Number(row.chunks) };
}
