/** A run's records out of PostgreSQL as JSON Lines, in plan order (chunk, then address, port). */
import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import type pg from "pg";
import type { Status } from "../core/status.js";
import type { ScanStats } from "../scan/engine.js";
import { SCHEMA } from "./schema.js";

const PAGE = 5000;

/** Writes `path` atomically (a temporary file renamed): it is complete or it is not there. */
export async function exportRecords(
  pool: pg.Pool,
  run: string,
  path: string,
  page = PAGE,
): Promise<ScanStats> {
  const temporary = `${path}.export-tmp`;
  const fd = openSync(temporary, "w");
  const stats: ScanStats = { jobs: 0, byStatus: {}, peakInFlight: 0, interrupted: false };
  try {
    // keyset pagination: no cursor held open, constant memory
    let after: { chunk: number; ip: string; port: number } | null = null;
    for (;;) {
      const { rows } = await pool.query(
        // r.ip, not ip: the output column `ip` is text (host()), and ORDER BY would sort by it
        // (127.0.0.10 before 127.0.0.9) while the keyset compares inet: pages would overlap
        `SELECT r.chunk, host(r.ip) AS ip, r.port, r.status, r.record::text AS line
           FROM ${SCHEMA}.records r
          WHERE r.run_id = $1 AND ($2::int IS NULL OR (r.chunk, r.ip, r.port) > ($2, $3::inet, $4))
          ORDER BY r.chunk, r.ip, r.port LIMIT ${page}`,
        [run, after?.chunk ?? null, after?.ip ?? null, after?.port ?? null],
      );
      if (rows.length === 0) break;
      const text = rows.map((r) => (r as { line: string }).line).join("\n");
      writeSync(fd, `${text}\n`);
      for (const row of rows as Array<{ status: Status }>) {
        stats.jobs += 1;
        stats.byStatus[row.status] = (stats.byStatus[row.status] ?? 0) + 1;
      }
      const last = rows[rows.length - 1] as { chunk: number; ip: string; port: number };
      after = { chunk: last.chunk, ip: last.ip, port: last.port };
    }
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return stats;
}
