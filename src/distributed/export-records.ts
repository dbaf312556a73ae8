/** A run's records out of PostgreSQL as JSON Lines, in plan order (chunk, then address, port). */
import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import type pg from "pg";
import type { Status } from "../core/status.js";
import type { ScanStats } from "../scan/engine.js";
import { SCHEMA } from "./schema.js";

const PAGE = 5000;

/** Writes `path` atomically (a temporary file renamed): it is complete or it is not there. */
export async function exportRecords(pool: pg.Pool, run: string, path: string): Promise<ScanStats> {
  const temporary = `${path}.export-tmp`;
  const fd = openSync(temporary, "w");
  const stats: ScanStats = { jobs: 0, byStatus: {}, peakInFlight: 0, interrupted: false };
  try {
    // keyset pagination: no cursor held open, constant memory
    let after: { chunk: number; ip: string; port: number } | null = null;
    for (;;) {
      const { rows } = await pool.query(
        `SELECT chunk, host(ip) AS ip, port, status, record::text AS line
           FROM ${SCHEMA}.records
          WHERE run_id = $1 AND ($2::int IS NULL OR (chunk, ip, port) > ($2, $3::inet, $4))
          ORDER BY chunk, ip, port LIMIT ${PAGE}`,
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
