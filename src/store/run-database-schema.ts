/**
 * The layout of the run database (docs/sqlite.md describes every column; change both together and
 * bump DATABASE_VERSION when a column changes meaning). Column lists are data so that the CREATE
 * TABLE and the INSERT for a table can never disagree about order.
 *
 * Child tables (certificates, a protocol's own such as ssh_host_keys, software_alternatives) repeat ip and port, so the
 * obvious joins work, and also carry `record_id` (records.id), which stays exact when an input
 * holds two records for one (ip, port).
 */

import { PROTOCOL_COLUMNS, PROTOCOL_TABLES } from "../protocols/registry.js";

export const DATABASE_VERSION = 1;

/** column name → SQL type and constraints */
export type ColumnList = ReadonlyArray<readonly [name: string, type: string]>;

export const RECORD_COLUMNS: ColumnList = [
  ["ip", "TEXT NOT NULL"],
  ["port", "INTEGER NOT NULL"],
  ["protocol", "TEXT NOT NULL"],
  ["name", "TEXT"],
  ["status", "TEXT NOT NULL"],
  ["error", "TEXT"],
  ["started_at", "TEXT"],
  ["duration_ms", "REAL"],
  ["banner", "TEXT"],
  ["ehlo_name", "TEXT"],
  ["starttls_offered", "INTEGER"],
  ["tls_version", "TEXT"],
  ["tls_cipher", "TEXT"],
  ["tls_error", "TEXT"],
  ["leaf_spki_sha256", "TEXT"],
  ["leaf_subject", "TEXT"],
  ["leaf_issuer", "TEXT"],
  ["leaf_not_after", "TEXT"],
  ["leaf_self_signed", "INTEGER"],
  ["leaf_key_type", "TEXT"],
  ["leaf_key_bits", "INTEGER"],
  // each protocol's own columns (its description in the registry): ssh_banner, http_server
  ...PROTOCOL_COLUMNS.map((column) => [column.name, column.type] as const),
  ["product", "TEXT"],
  ["vendor", "TEXT"],
  ["kind", "TEXT"],
  ["version", "TEXT"],
  ["version_range", "TEXT"],
  ["os", "TEXT"],
  ["hint", "TEXT"],
  ["confidence", "REAL"],
  ["json", "TEXT NOT NULL"],
];

export const CERTIFICATE_COLUMNS: ColumnList = [
  ["record_id", "INTEGER NOT NULL REFERENCES records(id)"],
  ["ip", "TEXT NOT NULL"],
  ["port", "INTEGER NOT NULL"],
  ["position", "INTEGER NOT NULL"],
  ["sha256", "TEXT NOT NULL"],
  ["spki_sha256", "TEXT NOT NULL"],
  ["subject", "TEXT NOT NULL"],
  ["issuer", "TEXT NOT NULL"],
  ["san", "TEXT NOT NULL"],
  ["serial", "TEXT NOT NULL"],
  ["not_before", "TEXT NOT NULL"],
  ["not_after", "TEXT NOT NULL"],
  ["self_signed", "INTEGER NOT NULL"],
  ["key_type", "TEXT"],
  ["key_bits", "INTEGER"],
];

/** each protocol's child tables (its description in the registry: ssh_host_keys, …) */
export const PROTOCOL_TABLE_COLUMNS: ReadonlyArray<readonly [name: string, columns: ColumnList]> =
  PROTOCOL_TABLES.map((table) => [
    table.name,
    [
      ["record_id", "INTEGER NOT NULL REFERENCES records(id)"],
      ["ip", "TEXT NOT NULL"],
      ["port", "INTEGER NOT NULL"],
      ...table.columns,
    ],
  ]);

export const SOFTWARE_ALTERNATIVE_COLUMNS: ColumnList = [
  ["record_id", "INTEGER NOT NULL REFERENCES records(id)"],
  ["ip", "TEXT NOT NULL"],
  ["port", "INTEGER NOT NULL"],
  ["product", "TEXT NOT NULL"],
  ["probability", "REAL NOT NULL"],
];

export const CLUSTER_COLUMNS: ColumnList = [
  ["id", "TEXT PRIMARY KEY"],
  ["size", "INTEGER NOT NULL"],
  ["hosts", "INTEGER NOT NULL"],
];

export const CLUSTER_MEMBER_COLUMNS: ColumnList = [
  ["cluster_id", "TEXT NOT NULL REFERENCES clusters(id)"],
  ["ip", "TEXT NOT NULL"],
  ["port", "INTEGER NOT NULL"],
  ["protocol", "TEXT NOT NULL"],
  ["name", "TEXT"],
];

export const CLUSTER_KEY_COLUMNS: ColumnList = [
  ["cluster_id", "TEXT NOT NULL REFERENCES clusters(id)"],
  ["spki_sha256", "TEXT NOT NULL"],
  ["kind", "TEXT NOT NULL"],
  ["protocols", "TEXT NOT NULL"],
  ["count", "INTEGER NOT NULL"],
  ["known", "TEXT"],
];

export const TARGET_COLUMNS: ColumnList = [
  ["ip", "TEXT NOT NULL"],
  ["port", "INTEGER"],
  ["name", "TEXT"],
  ["domain", "TEXT"],
  ["mx", "TEXT"],
  ["mx_preference", "INTEGER"],
  ["category", "TEXT"],
  ["country", "TEXT"],
  ["asn", "INTEGER"],
];

export const TABLE_CATALOGUE_COLUMNS: ColumnList = [
  ["id", "TEXT PRIMARY KEY"],
  ["table_name", "TEXT NOT NULL UNIQUE"],
  ["title", "TEXT NOT NULL"],
  ["note", "TEXT"],
];

export const TABLE_COLUMN_CATALOGUE_COLUMNS: ColumnList = [
  ["table_id", "TEXT NOT NULL REFERENCES tables(id)"],
  ["position", "INTEGER NOT NULL"],
  ["column_name", "TEXT NOT NULL"],
  ["key", "TEXT NOT NULL"],
  ["label", "TEXT NOT NULL"],
  ["format", "TEXT"],
];

export const META_COLUMNS: ColumnList = [
  ["key", "TEXT PRIMARY KEY"],
  ["value", "TEXT NOT NULL"],
];

/** the fixed tables, in creation order; tally_<id> tables are added per report table */
export const FIXED_TABLES: ReadonlyArray<readonly [name: string, columns: ColumnList]> = [
  ["meta", META_COLUMNS],
  ["certificates", CERTIFICATE_COLUMNS],
  ...PROTOCOL_TABLE_COLUMNS,
  ["software_alternatives", SOFTWARE_ALTERNATIVE_COLUMNS],
  ["clusters", CLUSTER_COLUMNS],
  ["cluster_members", CLUSTER_MEMBER_COLUMNS],
  ["cluster_keys", CLUSTER_KEY_COLUMNS],
  ["targets", TARGET_COLUMNS],
  ["tables", TABLE_CATALOGUE_COLUMNS],
  ["table_columns", TABLE_COLUMN_CATALOGUE_COLUMNS],
];

/**
 * Built after the rows are in: one sort per index is much cheaper than keeping them up to date
 * through 100,000 inserts.
 */
export const INDEXES: readonly string[] = [
  "CREATE INDEX records_ip_port ON records (ip, port)",
  "CREATE INDEX records_status ON records (status)",
  "CREATE INDEX records_product ON records (product)",
  "CREATE INDEX records_leaf_spki ON records (leaf_spki_sha256)",
  "CREATE INDEX certificates_record ON certificates (record_id)",
  "CREATE INDEX certificates_spki ON certificates (spki_sha256)",
  ...PROTOCOL_TABLES.flatMap((table) => [
    `CREATE INDEX ${table.name}_record ON ${table.name} (record_id)`,
    ...(table.indexed ?? []).map(
      (column) => `CREATE INDEX ${table.name}_${column.replace(/_sha256$/, "")} ON ${table.name} (${column})`,
    ),
  ]),
  "CREATE INDEX software_alternatives_record ON software_alternatives (record_id)",
  "CREATE INDEX cluster_members_cluster ON cluster_members (cluster_id)",
  "CREATE INDEX cluster_members_ip_port ON cluster_members (ip, port)",
  "CREATE INDEX cluster_keys_cluster ON cluster_keys (cluster_id)",
  "CREATE INDEX cluster_keys_spki ON cluster_keys (spki_sha256)",
  "CREATE INDEX targets_ip ON targets (ip)",
];

/** `"name"` with any double quote doubled: safe for any identifier */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function createTableSql(name: string, columns: ColumnList, prefix = ""): string {
  const list = columns.map(([column, type]) => `${quoteIdentifier(column)} ${type}`);
  return `CREATE TABLE ${quoteIdentifier(name)} (${prefix}${list.join(", ")})`;
}

export function insertSql(name: string, columns: ColumnList): string {
  const names = columns.map(([column]) => quoteIdentifier(column)).join(", ");
  return `INSERT INTO ${quoteIdentifier(name)} (${names}) VALUES (${columns.map(() => "?").join(", ")})`;
}

/** records: an explicit id (the rowid) that child rows point at */
export function createRecordsTableSql(): string {
  return createTableSql("records", RECORD_COLUMNS, "id INTEGER PRIMARY KEY, ");
}
