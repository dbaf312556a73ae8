/**
 * Column, table and chart builders shared by the sections. A column's key becomes a CSV header
 * (tables/<id>.csv), so the builders take it explicitly rather than deriving it from the label.
 */
import type { CountRow } from "../../analysis/tally-types.js";
import type { ReportColumn, ReportTable } from "../../core/table.js";
import { barChart } from "../chart-specs.js";
import type { ReportChart } from "../report-model.js";

export const countColumn = (key: string, label: string): ReportColumn => ({
  key,
  label,
  numeric: true,
  format: "count",
});

export const percentColumn = (key: string, label: string): ReportColumn => ({
  key,
  label,
  numeric: true,
  format: "percent",
});

export const textColumn = (key: string, label: string): ReportColumn => ({ key, label });

/** A value, count, share table: the long form every tally of one dimension takes. */
export function countTable(
  id: string,
  title: string,
  valueLabel: string,
  rows: CountRow[],
  note?: string,
): ReportTable {
  return {
    id,
    title,
    columns: [
      textColumn("value", valueLabel),
      countColumn("count", "count"),
      percentColumn("share", "share"),
    ],
    rows: rows.map((r) => ({ value: r.value, count: r.count, share: r.share })),
    ...(note ? { note } : {}),
  };
}

/** A bar chart of the `top` largest rows; the rest fold into one "other (N)" bar (the table keeps them). */
export function countChart(
  id: string,
  title: string,
  rows: CountRow[],
  top: number,
  axisTitle: string,
): ReportChart {
  const shown = rows.slice(0, top);
  const rest = rows.slice(top).reduce((sum, r) => sum + r.count, 0);
  const data = shown.map((r) => ({ label: r.value, value: r.count }));
  if (rest > 0) data.push({ label: `other (${rows.length - top})`, value: rest });
  return barChart(id, title, data, { title: axisTitle });
}
