/**
 * The run database: a run's records, clusters, targets and report tables in one SQLite file for
 * ad-hoc SQL (docs/sqlite.md lists its tables and has example queries).
 *
 * Built into `path.tmp` and renamed over `path` only when complete, so a crash or an error never
 * leaves half a database where a reader looks; a stale `.tmp` from a killed run is removed first.
 * Records are streamed: inserted as they arrive, one transaction per `batchRows` rows (all tables
 * counted), so memory is bounded by SQLite's page cache, not by the run's size. Indexes are built
 * after the rows are in. The file is a single file: rollback journal in memory, no WAL (a crashed
 * build is thrown away anyway, so the journal need not survive one).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Cluster } from "../core/cluster-types.js";
import { repoRoot } from "../core/paths.js";
import type { ReportTable } from "../core/table.js";
import type { Target } from "../core/target.js";
import { recordRows, type SqlValue } from "./record-rows.js";
import {
  CERTIFICATE_COLUMNS,
  CLUSTER_COLUMNS,
  CLUSTER_KEY_COLUMNS,
  CLUSTER_MEMBER_COLUMNS,
  type ColumnList,
  createRecordsTableSql,
  createTableSql,
  DATABASE_VERSION,
  FIXED_TABLES,
  INDEXES,
  insertSql,
  META_COLUMNS,
  PROTOCOL_TABLE_COLUMNS,
  RECORD_COLUMNS,
  SOFTWARE_ALTERNATIVE_COLUMNS,
  TABLE_CATALOGUE_COLUMNS,
  TABLE_COLUMN_CATALOGUE_COLUMNS,
  TARGET_COLUMNS,
} from "./run-database-schema.js";
import { SCHEMA_VERSION, type ScanRecord } from "./schema.js";
import { tallyRow, tallyTables } from "./tally-tables.js";

export interface RunDatabaseInputs {
  records: AsyncIterable<ScanRecord> | Iterable<ScanRecord>;
  clusters?: Iterable<Cluster>;
  targets?: AsyncIterable<Target> | Iterable<Target>;
  tables?: readonly ReportTable[];
  /** added to the `meta` table; a key given here replaces the built-in one of that name */
  meta?: Record<string, string>;
}

export interface RunDatabaseOptions {
  /** rows (over all tables) per transaction; 10,000 unless told */
  batchRows?: number;
}

export interface RunDatabaseSummary {
  path: string;
  /** rows written per table, tally tables included */
  rows: Record<string, number>;
}

export async function buildRunDatabase(
  path: string,
  inputs: RunDatabaseInputs,
  options: RunDatabaseOptions = {},
): Promise<RunDatabaseSummary> {
  const tempPath = `${path}.tmp`;
  removeDatabaseFiles(tempPath);
  const db = new Database(tempPath);
  let open = true;
  try {
    db.pragma("journal_mode = MEMORY");
    db.pragma("synchronous = OFF");
    const writer = new BatchWriter(db, options.batchRows ?? 10_000);
    await fill(db, writer, inputs);
    writer.commit();
    db.transaction(() => {
      for (const sql of INDEXES) db.exec(sql);
    })();
    // statistics for the query planner, so ad-hoc joins pick the indexes
    db.exec("ANALYZE");
    db.close();
    open = false;
    syncFile(tempPath);
    // a journal or WAL left beside an older database would be replayed into the new one
    for (const suffix of ["-journal", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    renameSync(tempPath, path);
    return { path, rows: writer.rows };
  } catch (error) {
    if (open) db.close();
    removeDatabaseFiles(tempPath);
    throw error;
  }
}

async function fill(db: Database.Database, writer: BatchWriter, inputs: RunDatabaseInputs): Promise<void> {
  db.exec(createRecordsTableSql());
  for (const [name, columns] of FIXED_TABLES) db.exec(createTableSql(name, columns));
  const tallies = tallyTables(inputs.tables ?? [], new Set(["records", ...FIXED_TABLES.map(([n]) => n)]));
  for (const tally of tallies) db.exec(createTableSql(tally.name, tally.columns));

  const insertRecord = writer.prepare("records", RECORD_COLUMNS);
  const insertCertificate = writer.prepare("certificates", CERTIFICATE_COLUMNS);
  const insertProtocolRows = PROTOCOL_TABLE_COLUMNS.map(([name, columns]) => writer.prepare(name, columns));
  const insertAlternative = writer.prepare("software_alternatives", SOFTWARE_ALTERNATIVE_COLUMNS);
  for await (const record of inputs.records) {
    const rows = recordRows(record);
    const id = insertRecord(rows.record);
    for (const row of rows.certificates) insertCertificate([id, ...row]);
    rows.protocolTables.forEach((tableRows, t) => {
      for (const row of tableRows) insertProtocolRows[t]?.([id, ...row]);
    });
    for (const row of rows.softwareAlternatives) insertAlternative([id, ...row]);
  }

  const insertCluster = writer.prepare("clusters", CLUSTER_COLUMNS);
  const insertMember = writer.prepare("cluster_members", CLUSTER_MEMBER_COLUMNS);
  const insertKey = writer.prepare("cluster_keys", CLUSTER_KEY_COLUMNS);
  for (const cluster of inputs.clusters ?? []) {
    insertCluster([cluster.id, cluster.size, cluster.hosts]);
    for (const m of cluster.members) insertMember([cluster.id, m.ip, m.port, m.protocol, m.name]);
    for (const k of cluster.keys) {
      insertKey([cluster.id, k.spki_sha256, k.kind, k.protocols.join(","), k.count, k.known]);
    }
  }

  const insertTarget = writer.prepare("targets", TARGET_COLUMNS);
  for await (const t of inputs.targets ?? []) {
    insertTarget([
      t.ip,
      t.port ?? null,
      t.name ?? null,
      t.domain ?? null,
      t.mx ?? null,
      t.mx_preference ?? null,
      t.category ?? null,
      t.country ?? null,
      t.asn ?? null,
    ]);
  }

  const insertCatalogue = writer.prepare("tables", TABLE_CATALOGUE_COLUMNS);
  const insertCatalogueColumn = writer.prepare("table_columns", TABLE_COLUMN_CATALOGUE_COLUMNS);
  for (const tally of tallies) {
    const { table } = tally;
    insertCatalogue([table.id, tally.name, table.title, table.note ?? null]);
    table.columns.forEach((c, i) => {
      insertCatalogueColumn([table.id, i, tally.columnNames[i] as string, c.key, c.label, c.format ?? null]);
    });
    const insertRow = writer.prepare(tally.name, tally.columns);
    for (const row of table.rows) insertRow(tallyRow(tally, row));
  }

  const meta: Record<string, string> = {
    tool_version: toolVersion(),
    schema_version: String(SCHEMA_VERSION),
    database_version: String(DATABASE_VERSION),
    created_at: new Date().toISOString(),
    ...inputs.meta,
  };
  const insertMeta = writer.prepare("meta", META_COLUMNS);
  for (const [key, value] of Object.entries(meta)) insertMeta([key, value]);
}

/**
 * Prepared inserts that share one open transaction, committed every `batchRows` rows. The
 * transaction stays open across the record stream's awaits: nothing else uses this connection.
 */
class BatchWriter {
  readonly rows: Record<string, number> = {};
  private pending = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly batchRows: number,
  ) {}

  /** an insert for `table`; it returns the new row's rowid */
  prepare(table: string, columns: ColumnList): (values: SqlValue[]) => number {
    const statement = this.db.prepare<SqlValue[]>(insertSql(table, columns));
    this.rows[table] = 0;
    return (values) => {
      if (this.pending === 0) this.db.exec("BEGIN");
      const id = statement.run(...values).lastInsertRowid;
      this.rows[table] = (this.rows[table] ?? 0) + 1;
      this.pending += 1;
      if (this.pending >= this.batchRows) this.commit();
      // rowids stay far below 2^53 here: a run does not hold 9e15 rows
      return Number(id);
    };
  }

  commit(): void {
    if (this.pending === 0) return;
    this.db.exec("COMMIT");
    this.pending = 0;
  }
}

function toolVersion(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version?: string };
  return manifest.version ?? "unknown";
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ["", "-journal", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}

/** so that the rename never publishes a file whose pages are not yet on disk */
function syncFile(path: string): void {
  const fd = openSync(path, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
