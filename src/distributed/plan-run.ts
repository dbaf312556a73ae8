/**
 * Planning a run into PostgreSQL: the manifest, the targets in plan order (stored once), then
 * one queue job per chunk. Every step is idempotent, so a coordinator killed halfway plans
 * again with --resume and adds nothing twice: targets are keyed (run, index) and the chunks'
 * job ids depend only on (run, chunk). The targets are stored before any chunk is queued, so
 * no worker finds a chunk without its targets.
 */
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { Target } from "../core/target.js";
import type { RunManifest } from "./manifest.js";
import { enqueueChunks } from "./queue.js";
import { createRun } from "./runs.js";
import { SCHEMA } from "./schema.js";

const INSERT_BATCH = 2000;

export interface PlannedRun {
  targets: number;
  chunks: number;
}

export async function planRun(
  pool: pg.Pool,
  boss: PgBoss,
  manifest: RunManifest,
  targets: AsyncIterable<Target>,
  leaseSeconds: number,
): Promise<PlannedRun> {
  const existing = await pool.query(`SELECT targets, chunks FROM ${SCHEMA}.runs WHERE run_id = $1`, [
    manifest.run,
  ]);
  const row = existing.rows[0] as { targets: string; chunks: number } | undefined;
  // chunks ≥ 0 is written only after the last target is stored: the plan is complete
  if (row && row.chunks >= 0) {
    // planned before, completely: queue the chunks (again: it adds none) and go on. The targets
    // are read to the end all the same: whoever streams them (the run directory's targets file)
    // sees them all, as a one-machine resume does
    for await (const _ of targets) {
      // nothing: stored already
    }
    await enqueueChunks(boss, manifest.run, row.chunks, leaseSeconds);
    return { targets: Number(row.targets), chunks: row.chunks };
  }
  // -1: not planned to the end yet (a coordinator killed while storing targets plans again)
  await createRun(pool, manifest.run, manifest, -1, -1);
  let index = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const first = index - batch.length;
    await pool.query(
      `INSERT INTO ${SCHEMA}.targets (run_id, idx, chunk, target)
       SELECT $1, $2::bigint + n - 1, (($2::bigint + n - 1) / $3)::int, t::jsonb
         FROM UNNEST($4::text[]) WITH ORDINALITY AS u(t, n)
       ON CONFLICT (run_id, idx) DO NOTHING`,
      [manifest.run, first, manifest.chunkTargets, batch],
    );
    batch = [];
  };
  for await (const target of targets) {
    batch.push(JSON.stringify(target));
    index += 1;
    if (batch.length >= INSERT_BATCH) await flush();
  }
  await flush();
  const chunks = Math.ceil(index / manifest.chunkTargets);
  await pool.query(`UPDATE ${SCHEMA}.runs SET targets = $2, chunks = $3 WHERE run_id = $1`, [
    manifest.run,
    index,
    chunks,
  ]);
  await enqueueChunks(boss, manifest.run, chunks, leaseSeconds);
  return { targets: index, chunks };
}

export async function loadManifest(pool: pg.Pool, run: string): Promise<RunManifest | null> {
  const { rows } = await pool.query(`SELECT manifest FROM ${SCHEMA}.runs WHERE run_id = $1`, [run]);
  return (rows[0] as { manifest: RunManifest } | undefined)?.manifest ?? null;
}

export async function chunkTargets(pool: pg.Pool, run: string, chunk: number): Promise<Target[]> {
  const { rows } = await pool.query(
    `SELECT target FROM ${SCHEMA}.targets WHERE run_id = $1 AND chunk = $2 ORDER BY idx`,
    [run, chunk],
  );
  return rows.map((r) => (r as { target: Target }).target);
}
