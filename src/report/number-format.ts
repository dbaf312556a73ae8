/** How a table cell reads on the page, by its column's `format`. */
import type { Cell, ReportColumn } from "../core/table.js";

// A fixed locale: the same report reads the same whatever machine builds it.
const countFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const percentFormat = new Intl.NumberFormat("en-US", {
  style: "percent",
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

export function formatCell(value: Cell, format: ReportColumn["format"]): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (!Number.isFinite(value)) return "n/a";
  switch (format) {
    case "count":
      return countFormat.format(value);
    case "percent":
      return percentFormat.format(value);
    default:
      return String(value);
  }
}
