/**
 * Planning a run into PostgreSQL: the manifest, the address space as plain data (its chunks are
 * index ranges of the plan's order, rebuilt by each worker: no target stored), the explicit
 * targets in plan order (stored once), then one queue job per chunk. Every step is idempotent,
 * so a coordinator killed halfway plans again with --resume and adds nothing twice: targets are
 * keyed (run, index) and the chunks' job ids depend only on (run, chunk). Everything a chunk
 * needs is stored before any chunk is queued, so no worker finds a chunk without its targets.
 */
import type pg from "pg";
import type PgBoss from "pg-boss";
import type { Target } from "../core/target.js";
import { type IndexedSpace, indexSpace, type SpaceDescriptor } from "../targets/space-descriptor.js";
import type { RunManifest } from "./manifest.js";
import { enqueueChunks } from "./queue.js";
import { createRun } from "./runs.js";
import { SCHEMA } from "./schema.js";

const INSERT_BATCH = 2000;

export interface PlannedRun {
  targets: number;
  chunks: number;
}

/** What a run is planned from: the plan's two parts (src/targets/plan.ts `parts`). */
export interface PlanTargets {
  /** the space part as data; null stores its targets one by one instead (--mmdb) */
  space: SpaceDescriptor | null;
  /** the space's targets as the plan streams them: counted (and stored when `space` is null) */
  spaceTargets: AsyncIterable<Target>;
  singles: AsyncIterable<Target>;
}

/** Targets that are all stored one by one (no space descriptor). */
export function storedTargets(targets: AsyncIterable<Target>): PlanTargets {
  return { space: null, spaceTargets: none(), singles: targets };
}

export async function planRun(
  pool: pg.Pool,
  boss: PgBoss,
  manifest: RunManifest,
  plan: PlanTargets,
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
    await drain(plan.spaceTargets);
    await drain(plan.singles);
    await enqueueChunks(boss, manifest.run, row.chunks, leaseSeconds);
    return { targets: Number(row.targets), chunks: row.chunks };
  }
  // -1: not planned to the end yet (a coordinator killed while storing targets plans again)
  await createRun(pool, manifest.run, manifest, -1, -1);
  const C = manifest.chunkTargets;
  const spaceIndexes = plan.space ? indexSpace(plan.space).count : 0n;
  const spaceChunks = Number((spaceIndexes + BigInt(C) - 1n) / BigInt(C));
  await pool.query(
    `UPDATE ${SCHEMA}.runs SET space = $2, space_indexes = $3, space_chunks = $4 WHERE run_id = $1`,
    [manifest.run, plan.space ? JSON.stringify(plan.space) : null, spaceIndexes.toString(), spaceChunks],
  );
  // the space's targets after the shard: only counted when the descriptor stands for them
  const spaceTargets = plan.space ? await drain(plan.spaceTargets) : 0;
  const explicit = plan.space ? plan.singles : chain(plan.spaceTargets, plan.singles);
  let stored = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const first = stored - batch.length;
    await pool.query(
      `INSERT INTO ${SCHEMA}.targets (run_id, idx, chunk, target)
       SELECT $1, $2::bigint + $3::bigint + n - 1, $5 + (($3::bigint + n - 1) / $4)::int, t::jsonb
         FROM UNNEST($6::text[]) WITH ORDINALITY AS u(t, n)
       ON CONFLICT (run_id, idx) DO NOTHING`,
      [manifest.run, spaceIndexes.toString(), first, C, spaceChunks, batch],
    );
    batch = [];
  };
  for await (const target of explicit) {
    batch.push(JSON.stringify(target));
    stored += 1;
    if (batch.length >= INSERT_BATCH) await flush();
  }
  await flush();
  const targets = spaceTargets + stored;
  const chunks = spaceChunks + Math.ceil(stored / C);
  await pool.query(`UPDATE ${SCHEMA}.runs SET targets = $2, chunks = $3 WHERE run_id = $1`, [
    manifest.run,
    targets,
    chunks,
  ]);
  await enqueueChunks(boss, manifest.run, chunks, leaseSeconds);
  return { targets, chunks };
}

export async function loadManifest(pool: pg.Pool, run: string): Promise<RunManifest | null> {
  const { rows } = await pool.query(`SELECT manifest FROM ${SCHEMA}.runs WHERE run_id = $1`, [run]);
  return (rows[0] as { manifest: RunManifest } | undefined)?.manifest ?? null;
}

/** Each run's rebuilt space, once per process: a run's descriptor never changes once planned. */
const spaces = new Map<string, { index: IndexedSpace | null; chunks: number; size: bigint }>();

/** The targets of one chunk: an index range of the space, or the stored targets of the chunk. */
export async function chunkTargets(pool: pg.Pool, run: string, chunk: number): Promise<Target[]> {
  let space = spaces.get(run);
  if (!space) {
    const { rows } = await pool.query(
      `SELECT space, space_chunks, (manifest->>'chunkTargets')::int AS size FROM ${SCHEMA}.runs WHERE run_id = $1`,
      [run],
    );
    const row = rows[0] as { space: SpaceDescriptor | null; space_chunks: number; size: number } | undefined;
    if (!row) throw new Error(`run ${run} is not in the database`);
    space = {
      index: row.space ? indexSpace(row.space) : null,
      chunks: row.space_chunks,
      size: BigInt(row.size),
    };
    spaces.set(run, space);
  }
  if (space.index && chunk < space.chunks) {
    const from = BigInt(chunk) * space.size;
    return space.index.targets(from, from + space.size);
  }
  const { rows } = await pool.query(
    `SELECT target FROM ${SCHEMA}.targets WHERE run_id = $1 AND chunk = $2 ORDER BY idx`,
    [run, chunk],
  );
  return rows.map((r) => (r as { target: Target }).target);
}

async function drain(targets: AsyncIterable<Target>): Promise<number> {
  let count = 0;
  for await (const _ of targets) count += 1;
  return count;
}

async function* chain(...parts: AsyncIterable<Target>[]): AsyncGenerator<Target> {
  for (const part of parts) yield* part;
}

async function* none(): AsyncGenerator<Target> {}
