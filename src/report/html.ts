/**
 * ReportModel → one static report.html that opens from disk with no server and no network:
 * inline CSS, charts rendered to inline SVG at build time, figure SVGs checked and inlined, one
 * hashed inline script for sortable tables, and a Content-Security-Policy that forbids fetching
 * anything. Every string from the model is HTML-escaped.
 */
import { chartSvg } from "./chart-svg.js";
import { escapeHtml, safeId } from "./html-escape.js";
import { DEFAULT_VISIBLE_ROWS, tableHtml } from "./html-table.js";
import { assertInertSvg, labelSvg, prefixSvgIds } from "./inline-svg.js";
import type { ReportChart, ReportFigure, ReportModel, ReportSection } from "./report-model.js";
import { REPORT_SCRIPT, REPORT_SCRIPT_CSP_SOURCE } from "./report-script.js";
import { REPORT_STYLE } from "./report-style.js";

export interface RenderReportOptions {
  /** rows of each table written into the page before "show all" (default 200) */
  visibleRows?: number;
}

/** Nothing may be fetched; only the page's own styles and its one hashed script may apply. */
export const REPORT_CSP = [
  "default-src 'none'",
  "img-src data:",
  "style-src 'unsafe-inline'",
  `script-src ${REPORT_SCRIPT_CSP_SOURCE}`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export async function renderReport(model: ReportModel, options: RenderReportOptions = {}): Promise<string> {
  const ids = new PageIds();
  const visibleRows = options.visibleRows ?? DEFAULT_VISIBLE_ROWS;
  const sections: string[] = [];
  const navItems: string[] = [];
  for (const section of model.sections) {
    const id = ids.claim(section.id, "", `section ${JSON.stringify(section.id)}`);
    navItems.push(`<li><a href="#${id}">${escapeHtml(section.title)}</a></li>`);
    sections.push(await sectionHtml(section, id, ids, visibleRows));
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(model.title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<a class="skip" href="#content">Skip to the report</a>
<div class="page">
<header>
<h1>${escapeHtml(model.title)}</h1>
<p>Generated <time datetime="${escapeHtml(model.generatedAt)}">${escapeHtml(model.generatedAt)}</time></p>
</header>
${summaryHtml(model.summary)}
<nav aria-labelledby="nav-title">
<h2 id="nav-title">Sections</h2>
<ol>
${navItems.join("\n")}
</ol>
</nav>
<main id="content">
${sections.join("\n")}
</main>
${footerHtml(model.provenance)}
</div>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function summaryHtml(summary: ReportModel["summary"]): string {
  if (summary.length === 0) return "";
  const items = summary.map(
    (item) => `<div><dt>${escapeHtml(item.label)}</dt><dd>${escapeHtml(item.value)}</dd></div>`,
  );
  return `<dl class="summary" aria-label="Summary">\n${items.join("\n")}\n</dl>`;
}

function footerHtml(provenance: string[]): string {
  const items = provenance.map((line) => `<li>${escapeHtml(line)}</li>`).join("\n");
  return `<footer>\n<h2>Sources and versions</h2>\n<ul>\n${items}\n</ul>\n</footer>`;
}

async function sectionHtml(
  section: ReportSection,
  id: string,
  ids: PageIds,
  visibleRows: number,
): Promise<string> {
  const parts = [
    `<section id="${id}" aria-labelledby="${id}-title">`,
    `<h2 id="${id}-title">${escapeHtml(section.title)}</h2>`,
  ];
  for (const paragraph of section.paragraphs ?? []) parts.push(`<p>${escapeHtml(paragraph)}</p>`);
  // Charts one after another: Vega renders quickly, and sequential keeps warnings in order.
  for (const chart of section.charts ?? []) parts.push(await chartHtml(chart, ids));
  for (const table of section.tables ?? []) {
    parts.push(
      tableHtml(table, ids.claim(table.id, "table-", `table ${JSON.stringify(table.id)}`), visibleRows),
    );
  }
  for (const figure of section.figures ?? []) parts.push(figureHtml(figure, ids));
  parts.push("</section>");
  return parts.join("\n");
}

async function chartHtml(chart: ReportChart, ids: PageIds): Promise<string> {
  const what = `chart ${JSON.stringify(chart.id)}`;
  const id = ids.claim(chart.id, "chart-", what);
  const svg = await chartSvg(chart.spec, chart.id);
  assertInertSvg(svg, what);
  // Vega numbers its clip paths and gradients from 1 in every chart: make them unique on the page.
  const inline = labelSvg(prefixSvgIds(svg, `${id}-`), chart.title);
  return `<figure class="chart" id="${id}">
<figcaption>${escapeHtml(chart.title)}</figcaption>
<div class="drawing">${inline}</div>
</figure>`;
}

function figureHtml(figure: ReportFigure, ids: PageIds): string {
  const what = `figure ${JSON.stringify(figure.id)}`;
  const id = ids.claim(figure.id, "figure-", what);
  assertInertSvg(figure.svg, what);
  // Graphviz names its groups graph0, node1, …: prefixed so two graphs never share an id.
  const caption =
    figure.caption === undefined ? "" : `\n<p class="caption">${escapeHtml(figure.caption)}</p>`;
  return `<figure class="graph" id="${id}">
<figcaption>${escapeHtml(figure.title)}</figcaption>
<div class="drawing">${prefixSvgIds(figure.svg.trim(), `${id}-`)}</div>${caption}
</figure>`;
}

/** The page's element ids: made safe for HTML and required to be unique, so every link lands. */
class PageIds {
  private readonly used = new Set<string>(["content", "nav-title"]);

  claim(modelId: string, prefix: string, what: string): string {
    const id = safeId(`${prefix}${modelId}`);
    // The renderer also writes "<id>-title" and "<id>-caption": those are taken with the id.
    for (const taken of [id, `${id}-title`, `${id}-caption`]) {
      if (this.used.has(taken))
        throw new Error(`${what}: id ${JSON.stringify(taken)} is used twice on the page`);
    }
    this.used.add(id).add(`${id}-title`).add(`${id}-caption`);
    return id;
  }
}
