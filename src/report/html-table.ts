/**
 * One ReportTable as HTML. Only the first `visibleRows` rows are written as <tr> elements; the
 * rest travel as a JSON data block that the page script (report-script.ts) turns into rows only
 * when the reader sorts or asks for them, so a 100,000-row table costs the browser a JSON.parse,
 * not 100,000 laid-out rows.
 */

import type { Cell, ReportColumn, ReportTable } from "../core/table.js";
import { escapeHtml, jsonForScript } from "./html-escape.js";
import { formatCell } from "./number-format.js";

export const DEFAULT_VISIBLE_ROWS = 200;

/** A row beyond the visible ones, cell by cell: text, [number, as shown], or nothing. */
export type HiddenCell = string | [number, string] | null;

const countFormat = new Intl.NumberFormat("en-US");

export function tableHtml(table: ReportTable, domId: string, visibleRows = DEFAULT_VISIBLE_ROWS): string {
  const total = table.rows.length;
  const shown = Math.min(total, visibleRows);
  const captionId = `${domId}-caption`;
  const head = table.columns.map(headerCell).join("");
  const body = table.rows
    .slice(0, shown)
    .map(
      (row) =>
        `<tr>${table.columns.map((column) => bodyCell(row[column.key] ?? null, column)).join("")}</tr>`,
    )
    .join("\n");
  const parts = [
    `<div class="table-block" id="${domId}" data-sortable-table data-visible="${shown}" data-total="${total}">`,
    `<div class="table-scroll" role="region" tabindex="0" aria-labelledby="${captionId}">`,
    `<table>\n<caption id="${captionId}">${escapeHtml(table.title)}</caption>`,
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody>\n</table>\n</div>`,
  ];
  if (total > shown) {
    parts.push(
      `<p class="table-status" aria-live="polite">Showing the first ${countFormat.format(shown)} of ${countFormat.format(total)} rows.</p>`,
      // Hidden until the script runs (it also writes their labels): without it they could do nothing.
      '<p class="table-controls"><button type="button" class="show-more" hidden>Show more rows</button> ' +
        '<button type="button" class="show-fewer" hidden>Show fewer rows</button></p>',
      `<script type="application/json" class="more-rows">${jsonForScript(hiddenRows(table, shown))}</script>`,
    );
  } else if (total === 0) {
    parts.push(`<p class="table-status">No rows.</p>`);
  }
  if (table.note !== undefined) parts.push(`<p class="note">${escapeHtml(table.note)}</p>`);
  parts.push("</div>");
  return parts.join("\n");
}

function headerCell(column: ReportColumn): string {
  const numeric = column.numeric === true;
  return `<th scope="col"${numeric ? ' class="num" data-numeric' : ""}><button type="button">${escapeHtml(column.label)}</button></th>`;
}

function bodyCell(value: Cell, column: ReportColumn): string {
  const cls = column.numeric === true ? ' class="num"' : "";
  if (value === null) return `<td${cls} data-empty></td>`;
  const text = escapeHtml(formatCell(value, column.format));
  // The raw number is the sort key; the text is only how it reads.
  if (typeof value === "number" && Number.isFinite(value)) return `<td${cls} data-v="${value}">${text}</td>`;
  return `<td${cls}>${text}</td>`;
}

function hiddenRows(table: ReportTable, from: number): HiddenCell[][] {
  const rows: HiddenCell[][] = [];
  for (let i = from; i < table.rows.length; i++) {
    const row = table.rows[i] as Record<string, Cell>;
    rows.push(table.columns.map((column) => hiddenCell(row[column.key] ?? null, column)));
  }
  return rows;
}

function hiddenCell(value: Cell, column: ReportColumn): HiddenCell {
  if (value === null) return null;
  if (typeof value === "number" && Number.isFinite(value)) return [value, formatCell(value, column.format)];
  return formatCell(value, column.format);
}
