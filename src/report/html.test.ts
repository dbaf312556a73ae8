import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ReportTable } from "../core/table.js";
import { renderReport } from "./html.js";
import type { ReportModel } from "./report-model.js";

const HOSTILE = "<script>alert(1)</script>";

const figureSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="40pt" height="20pt" viewBox="0 0 40 20">' +
  '<title>tiny graph</title><g id="graph0" class="graph"><ellipse cx="10" cy="10" rx="8" ry="8"/></g></svg>';

function twoSectionModel(): ReportModel {
  return {
    title: `Survey ${HOSTILE}`,
    generatedAt: "2026-06-20T12:00:00Z",
    summary: [
      { label: "SMTP servers", value: "14,631" },
      { label: HOSTILE, value: "1" },
    ],
    sections: [
      {
        id: "products",
        title: "Products",
        paragraphs: [`Banner: ${HOSTILE}`],
        charts: [
          {
            id: "bars",
            title: "Servers by product",
            spec: {
              data: {
                values: [
                  { p: HOSTILE, n: 3 },
                  { p: "Postfix", n: 7 },
                ],
              },
              mark: "bar",
              encoding: { x: { field: "p", type: "nominal" }, y: { field: "n", type: "quantitative" } },
            },
          },
        ],
        tables: [
          {
            id: "products",
            title: "Products",
            columns: [
              { key: "product", label: "Product" },
              { key: "servers", label: "Servers", numeric: true, format: "count" },
              { key: "share", label: "Share", numeric: true, format: "percent" },
            ],
            rows: [
              { product: "Postfix", servers: 12345, share: 0.41234 },
              { product: HOSTILE, servers: 3, share: null },
            ],
            note: "Counted once per address.",
          },
        ],
      },
      {
        id: "clusters",
        title: "Key reuse",
        figures: [{ id: "graph", title: "A cluster", svg: figureSvg, caption: "one key" }],
      },
    ],
    provenance: ["ip-location-db (CC BY 4.0)", HOSTILE],
  };
}

/** The text of the page's one executable <script> (data blocks have a type attribute). */
function inlineScript(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  return scripts[0]?.[1] as string;
}

describe("renderReport", () => {
  it("contains the nav, summary grid, chart and figure SVGs, tables and footer", async () => {
    const html = await renderReport(twoSectionModel());
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<li><a href="#products">Products</a></li>');
    expect(html).toContain('<li><a href="#clusters">Key reuse</a></li>');
    expect(html).toMatch(/<section id="products"[^>]*>[\s\S]*<section id="clusters"/);
    expect(html).toContain('<dl class="summary"');
    expect(html).toContain("<dt>SMTP servers</dt><dd>14,631</dd>");
    // The chart as inline SVG with an accessible name, the figure as given with prefixed ids.
    expect(html).toMatch(
      /<figure class="chart" id="chart-bars">[\s\S]*?<svg role="img" aria-label="Servers by product"/,
    );
    expect(html.match(/aria-roledescription="bar"/g)).toHaveLength(2);
    expect(html).toContain('<g id="figure-graph-graph0" class="graph">');
    expect(html).toContain('<p class="caption">one key</p>');
    // The table: sortable headers as buttons, numbers formatted per column with raw sort keys.
    expect(html).toContain('<div class="table-block" id="table-products" data-sortable-table');
    expect(html).toContain(
      '<th scope="col" class="num" data-numeric><button type="button">Servers</button></th>',
    );
    expect(html).toContain('<td class="num" data-v="12345">12,345</td>');
    expect(html).toContain('<td class="num" data-v="0.41234">41.2%</td>');
    expect(html).toContain('<td class="num" data-empty></td>');
    expect(html).toContain('<p class="note">Counted once per address.</p>');
    expect(html).toMatch(/<footer>[\s\S]*<li>ip-location-db \(CC BY 4\.0\)<\/li>/);
  });

  it("shows model text as text: no markup from the model reaches the page", async () => {
    const html = await renderReport(twoSectionModel());
    expect(html.split("<script>")).toHaveLength(2); // the page's own script only
    expect(html).not.toContain("alert(1)</script>");
    expect(html).toContain("<title>Survey &lt;script&gt;alert(1)&lt;/script&gt;</title>");
    expect(html).toContain("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
    expect(html).toContain("<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>");
  });

  it("declares a CSP that forbids the network and allows exactly the inline script", async () => {
    const html = await renderReport(twoSectionModel());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("img-src data:");
    expect(csp).toContain("style-src 'unsafe-inline'");
    const hash = createHash("sha256").update(inlineScript(html), "utf8").digest("base64");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).not.toMatch(/https?:|\*/);
    // Nothing on the page points elsewhere.
    expect(html).not.toMatch(/\s(?:src|href)="(?!#)/);
    expect(html).not.toMatch(/@import|@font-face|url\((?!#)/);
  });

  it("refuses a figure with a script and names it", async () => {
    const model = twoSectionModel();
    const clusters = model.sections[1];
    if (clusters === undefined) throw new Error("model has two sections");
    clusters.figures = [
      {
        id: "bad",
        title: "bad",
        svg: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      },
    ];
    await expect(renderReport(model)).rejects.toThrow(/^figure "bad": .*<script>/);
  });

  it("refuses two tables with the same id", async () => {
    const model = twoSectionModel();
    const products = model.sections[0];
    const table = products?.tables?.[0];
    if (products === undefined || table === undefined) throw new Error("model has a table");
    products.tables = [table, { ...table, title: "again" }];
    await expect(renderReport(model)).rejects.toThrow(/table "products": id "table-products" is used twice/);
  });

  it("writes only the first 200 rows of a 100,000-row table and carries the rest as data", async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      product: i % 7 === 0 ? HOSTILE : `product ${i % 13}`,
      banners: (i * 7919) % 100_003,
      share: (i % 1000) / 1000,
    }));
    const big: ReportTable = {
      id: "endpoints",
      title: "Every endpoint",
      columns: [
        { key: "ip", label: "Address" },
        { key: "product", label: "Product" },
        { key: "banners", label: "Banners", numeric: true, format: "count" },
        { key: "share", label: "Share", numeric: true, format: "percent" },
      ],
      rows,
    };
    const model: ReportModel = {
      title: "big",
      generatedAt: "2026-06-20T12:00:00Z",
      summary: [],
      sections: [{ id: "all", title: "All", tables: [big] }],
      provenance: [],
    };
    const start = performance.now();
    const html = await renderReport(model);
    const ms = performance.now() - start;
    console.log(
      `renderReport: 100,000-row table in ${ms.toFixed(0)} ms, ${(html.length / 1e6).toFixed(1)} MB`,
    );

    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
    expect(body.match(/<tr>/g)).toHaveLength(200);
    expect(html).toContain('data-visible="200" data-total="100000"');
    expect(html).toContain("Showing the first 200 of 100,000 rows.");
    expect(html).toContain('<button type="button" class="show-more" hidden>');
    const data =
      /<script type="application\/json" class="more-rows">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "[]";
    const more = JSON.parse(data) as unknown[][];
    expect(more).toHaveLength(99_800);
    expect(more[0]).toEqual(["10.0.0.200", "product 5", [83_755, "83,755"], [0.2, "20.0%"]]);
    expect(more[3]?.[1]).toBe(HOSTILE); // JSON text, shown via textContent; the markup is \u-escaped
    expect(data).not.toContain("<");
  });
});
