/**
 * The page's only script: sortable tables and "show more rows" for long ones. Plain browser
 * JavaScript kept as a string (the project's TypeScript has no DOM types); the browser test in
 * test/report/ runs it. Its SHA-256 goes into the page's Content-Security-Policy, so this exact
 * text is the only script the page may run.
 */
import { createHash } from "node:crypto";

export const REPORT_SCRIPT = `"use strict";
(() => {
  // Up to this many rows, one click shows them all; beyond, each click adds STEP rows, because
  // Chromium needs seconds per 10,000 table rows to lay them out (100,000 took over 10 s).
  const ALL_AT_ONCE = 5000;
  const STEP = 1000;
  const count = new Intl.NumberFormat("en-US");

  // The sort key of a cell written by html-table.ts: the raw number, the text, or null if empty.
  const domKey = (td) => {
    if (td.hasAttribute("data-empty")) return null;
    const raw = td.getAttribute("data-v");
    return raw === null ? td.textContent : Number(raw);
  };

  // Text in natural, case-insensitive order ("host 9" before "host 10", "10.0.0.9" before
  // "10.0.0.10"): each run of digits gets its length in front, then plain < compares. Much faster
  // than Intl.Collator on 100,000 rows (2.5 s there).
  const textKey = (text) =>
    text.toLowerCase().replace(/\\d+/g, (digits) => {
      const trimmed = digits.replace(/^0+(?=\\d)/, "");
      return String.fromCharCode(0x30 + Math.min(trimmed.length, 48)) + trimmed;
    });
  const sortKey = (value) => (typeof value === "string" ? textKey(value) : value);

  // Empty cells last and numbers before text whichever the direction.
  const compare = (a, b, descending) => {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    const aNumber = typeof a === "number";
    if (aNumber !== (typeof b === "number")) return aNumber ? -1 : 1;
    const result = a < b ? -1 : a > b ? 1 : 0;
    return descending ? -result : result;
  };

  const setUp = (block) => {
    const table = block.querySelector("table");
    const body = table.tBodies[0];
    const headers = Array.from(table.tHead.rows[0].cells);
    const numeric = headers.map((th) => th.hasAttribute("data-numeric"));
    const first = Number(block.getAttribute("data-visible"));
    const total = Number(block.getAttribute("data-total"));
    const status = block.querySelector(".table-status");
    const more = block.querySelector("button.show-more");
    const fewer = block.querySelector("button.show-fewer");
    let moreRows = block.querySelector("script.more-rows");
    let rows = Array.from(body.rows, (tr) => ({ tr, cells: null, keys: Array.from(tr.cells, domKey) }));
    let shown = first;
    let sortedBy = "";
    let sortColumn = -1;
    let descending = false;

    // The rows past the first ones are parsed only when the reader sorts or asks for them.
    const loadAll = () => {
      if (moreRows === null) return;
      for (const cells of JSON.parse(moreRows.textContent)) {
        rows.push({ tr: null, cells, keys: cells.map((c) => (Array.isArray(c) ? c[0] : c)) });
      }
      moreRows.remove();
      moreRows = null;
    };

    // Built with textContent only, so model text can never become markup.
    const rowElement = (row) => {
      if (row.tr !== null) return row.tr;
      const tr = document.createElement("tr");
      row.cells.forEach((cell, i) => {
        const td = tr.insertCell();
        if (numeric[i]) td.className = "num";
        if (cell === null) td.setAttribute("data-empty", "");
        else if (Array.isArray(cell)) {
          td.setAttribute("data-v", String(cell[0]));
          td.textContent = cell[1];
        } else td.textContent = cell;
      });
      row.tr = tr;
      return tr;
    };

    const render = () => {
      const fragment = document.createDocumentFragment();
      for (let i = 0; i < Math.min(shown, rows.length); i++) fragment.appendChild(rowElement(rows[i]));
      body.replaceChildren(fragment);
      if (status === null || total <= first) return;
      const order = sortedBy === "" ? "" : ", sorted by " + sortedBy;
      status.textContent =
        (shown >= total ? "Showing all " + count.format(total) + " rows" : "Showing the first " +
          count.format(shown) + " of " + count.format(total) + " rows") + order + ".";
      const remaining = total - shown;
      more.hidden = remaining <= 0;
      more.textContent = total <= ALL_AT_ONCE ? "Show all " + count.format(total) + " rows"
        : "Show " + count.format(Math.min(STEP, remaining)) + " more rows";
      fewer.hidden = shown <= first;
      fewer.textContent = "Show only the first " + count.format(first) + " rows";
    };

    headers.forEach((th, column) => {
      th.querySelector("button").addEventListener("click", () => {
        descending = column === sortColumn ? !descending : false;
        sortColumn = column;
        sortedBy = th.textContent + (descending ? " (descending)" : " (ascending)");
        loadAll();
        // Keys computed once per row for this sort, not once per comparison; sort() is stable.
        const decorated = rows.map((row) => ({ row, key: sortKey(row.keys[column]) }));
        decorated.sort((a, b) => compare(a.key, b.key, descending));
        rows = decorated.map((entry) => entry.row);
        for (const other of headers) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        render();
      });
    });

    if (more !== null && fewer !== null) {
      more.addEventListener("click", () => {
        loadAll();
        shown = total <= ALL_AT_ONCE ? total : Math.min(total, shown + STEP);
        render();
      });
      fewer.addEventListener("click", () => {
        shown = first;
        render();
        table.scrollIntoView({ block: "nearest" });
      });
      render();
    }
  };

  document.querySelectorAll("[data-sortable-table]").forEach(setUp);
})();
`;

/** The CSP source that allows exactly REPORT_SCRIPT, e.g. 'sha256-…'. */
export const REPORT_SCRIPT_CSP_SOURCE = `'sha256-${createHash("sha256").update(REPORT_SCRIPT, "utf8").digest("base64")}'`;
