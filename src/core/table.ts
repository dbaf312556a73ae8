/**
 * A table as data: the analysis fills it, the store writes it as CSV and SQLite, the report
 * renders it. It lives below all three so that none of them imports another for it.
 */

/** One cell: text, a number (sorted numerically), or nothing. */
export type Cell = string | number | null;

export interface ReportColumn {
  key: string;
  label: string;
  /** right-aligned and sorted as numbers */
  numeric?: boolean;
  /** how a number is shown: a count, a share 0–1 shown as a percentage, or as it is */
  format?: "count" | "percent" | "plain";
}

export interface ReportTable {
  /** unique on the page; also the CSV file's name (tables/<id>.csv) */
  id: string;
  title: string;
  columns: ReportColumn[];
  rows: Array<Record<string, Cell>>;
  /** a sentence under the table: what it counts, what was merged or left out */
  note?: string;
}
