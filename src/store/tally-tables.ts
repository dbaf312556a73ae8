/**
 * Report tables as SQL tables: each ReportTable becomes `tally_<id>` with one column per report
 * column. Identifiers are sanitised to lowercase [a-z0-9_] (so they can be typed without quotes)
 * and made unique; they are still quoted in the SQL we generate. The `tables` and `table_columns`
 * catalogues map every sanitised name back to the report's id, key, title and label.
 */
import type { Cell, ReportTable } from "../core/table.js";
import type { ColumnList } from "./run-database-schema.js";

export interface TallyTable {
  table: ReportTable;
  /** the SQL table's name, `tally_<sanitised id>` */
  name: string;
  /** the SQL column names, in the report's column order */
  columnNames: string[];
  columns: ColumnList;
}

/** lowercase, every run of other characters as one "_", never empty, never starting with a digit */
export function sanitiseIdentifier(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (cleaned === "") return "x";
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** `base`, or `base_2`, `base_3`, … whichever is not taken yet (compared case-insensitively, as SQLite does) */
function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * A column is NUMERIC when the report says so or every cell in it is a number (so ORDER BY sorts
 * numbers as numbers); otherwise TEXT. A number in a TEXT column is stored as its text.
 */
function columnType(table: ReportTable, key: string, numeric: boolean | undefined): string {
  if (numeric) return "NUMERIC";
  let sawNumber = false;
  for (const row of table.rows) {
    const cell: Cell | undefined = row[key];
    if (cell === null || cell === undefined) continue;
    if (typeof cell !== "number") return "TEXT";
    sawNumber = true;
  }
  return sawNumber ? "NUMERIC" : "TEXT";
}

/** Names for every table; `takenTables` holds the database's other table names (lowercase). */
export function tallyTables(tables: readonly ReportTable[], takenTables: Set<string>): TallyTable[] {
  const ids = new Set<string>();
  return tables.map((table) => {
    if (ids.has(table.id)) throw new Error(`two report tables have the id ${table.id}`);
    ids.add(table.id);
    const name = unique(`tally_${sanitiseIdentifier(table.id)}`, takenTables);
    const takenColumns = new Set<string>();
    const columnNames = table.columns.map((c) => unique(sanitiseIdentifier(c.key), takenColumns));
    const columns: ColumnList = table.columns.map(
      (c, i) => [columnNames[i] as string, columnType(table, c.key, c.numeric)] as const,
    );
    return { table, name, columnNames, columns };
  });
}

/** one row's values in the table's column order; a missing cell is NULL, a non-finite number too */
export function tallyRow(
  tally: TallyTable,
  row: Readonly<Record<string, Cell>>,
): Array<string | number | null> {
  return tally.table.columns.map((c) => {
    const cell = row[c.key];
    if (cell === undefined) return null;
    if (typeof cell === "number" && !Number.isFinite(cell)) return null;
    return cell;
  });
}
