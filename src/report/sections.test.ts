import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { describe, expect, it } from "vitest";
import { tallyRecords } from "../analysis/tallies.js";
import { makeRecord } from "../analysis/test-records.js";
import type { ReportSection } from "./report-model.js";
import { reportSections, summaryFigures } from "./sections.js";

async function sampleResult() {
  const records = [
    makeRecord({
      ip: "192.0.2.1",
      ehlo: ["mx.a.test", "STARTTLS"],
      leaf: "k1",
      software: { product: "postfix", version: "3.7" },
    }),
    makeRecord({
      ip: "192.0.2.2",
      ehlo: ["mx.a.test", "STARTTLS"],
      leaf: "k1",
      software: { product: "postfix", version: "3.9" },
    }),
    makeRecord({ ip: "192.0.2.3", ehlo: ["mx.b.test"], software: "exim" }),
    makeRecord({ ip: "192.0.2.4", status: "refused", error: "connect ECONNREFUSED 192.0.2.4:25" }),
    makeRecord({
      ip: "192.0.2.5",
      port: 465,
      leaf: { spki_sha256: "c".repeat(64), self_signed: true },
      software: "postfix",
    }),
  ];
  return tallyRecords(records, {
    targets: [
      { ip: "192.0.2.1", domain: "a.test", mx: "mx.a.test", mx_preference: 10, category: "news" },
      { ip: "192.0.2.3", domain: "b.test", mx: "mx.b.test", mx_preference: 10, category: "shop" },
      { ip: "192.0.2.4", domain: "c.test", mx: "mx.c.test", mx_preference: 10, category: "shop" },
    ],
    sample: { sampled: 50, spaceSize: 2 ** 24 },
  });
}

const tables = (sections: ReportSection[]) => sections.flatMap((s) => s.tables ?? []);
const charts = (sections: ReportSection[]) => sections.flatMap((s) => s.charts ?? []);

describe("reportSections", () => {
  it("builds every section, with unique ids and rows that hold exactly their columns", async () => {
    const sections = reportSections(await sampleResult());
    expect(sections.map((s) => s.id)).toEqual([
      "summary",
      "failures",
      "market-share",
      "versions",
      "tls",
      "estimates",
    ]);
    const ids = tables(sections).map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    const chartIds = charts(sections).map((c) => c.id);
    expect(new Set(chartIds).size).toBe(chartIds.length);
    for (const table of tables(sections)) {
      const keys = table.columns.map((c) => c.key);
      for (const key of keys) expect(key, `${table.id}.${key}`).toMatch(/^[a-z][a-z0-9_]*$/);
      for (const row of table.rows) expect(Object.keys(row).sort(), table.id).toEqual([...keys].sort());
    }
    expect(ids).toEqual(
      expect.arrayContaining([
        "failures-by-status",
        "failures-by-port",
        "failure-errors",
        "share-by-host-product",
        "share-by-domain-product",
        "share-by-category",
        "versions",
        "tls-posture",
        "estimates",
      ]),
    );
  });

  it("states the host merge and the domain rule in the market-share section", async () => {
    const section = reportSections(await sampleResult()).find((s) => s.id === "market-share");
    expect(section?.paragraphs?.[0]).toContain("1 addresses were merged");
    const byDomain = section?.tables?.find((t) => t.id === "share-by-domain-product");
    expect(byDomain?.rows).toEqual(
      expect.arrayContaining([
        { value: "no answer", count: 1, share: 1 / 3 },
        { value: "postfix", count: 1, share: 1 / 3 },
      ]),
    );
  });

  it("leaves out what was not measured: no domains, no sample", async () => {
    const result = await tallyRecords([makeRecord({ ip: "192.0.2.1", software: "exim" })]);
    const sections = reportSections(result);
    expect(sections.map((s) => s.id)).not.toContain("estimates");
    expect(tables(sections).map((t) => t.id)).not.toContain("share-by-domain-product");
  });

  it("copes with an empty run", async () => {
    const sections = reportSections(await tallyRecords([]));
    expect(sections.map((s) => s.id)).toEqual(["summary", "failures", "market-share", "versions", "tls"]);
    for (const chart of charts(sections)) {
      const compiled = vegaLite.compile(chart.spec as unknown as Parameters<typeof vegaLite.compile>[0]);
      const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
      expect(await view.toSVG(), chart.id).toMatch(/^<svg/);
      view.finalize();
    }
  });

  it("gives Vega-Lite specs with inline data that render to SVG offline", async () => {
    const all = charts(reportSections(await sampleResult()));
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const chart of all) {
      const text = JSON.stringify(chart.spec);
      expect(text, chart.id).not.toMatch(/"url"|https?:/);
      expect(chart.spec.width, chart.id).toBeGreaterThan(0);
      expect(chart.spec.height, chart.id).toBeGreaterThan(0);
      // the cast: compile() takes Vega-Lite's deep TopLevelSpec union, which a plain record cannot be checked against
      const compiled = vegaLite.compile(chart.spec as unknown as Parameters<typeof vegaLite.compile>[0]);
      const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
      const svg = await view.toSVG();
      view.finalize();
      expect(svg, chart.id).toMatch(/^<svg/);
    }
  });
});

describe("summaryFigures", () => {
  it("gives the headline figures as label and text", async () => {
    const figures = Object.fromEntries(summaryFigures(await sampleResult()).map((f) => [f.label, f.value]));
    expect(figures.records).toBe("5");
    expect(figures["hosts (addresses merged)"]).toBe("3 (from 4 addresses)");
    expect(figures["mail domains"]).toBe("3 (33.3 % no answer)");
    expect(figures["SMTP servers on 25 in the sampled space (95 % interval)"]).toMatch(/^1,006,633 \(/);
  });
});
