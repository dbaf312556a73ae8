import { describe, expect, it } from "vitest";
import { chartSvg } from "./chart-svg.js";
import { assertInertSvg } from "./inline-svg.js";

function barSpec(n: number): Record<string, unknown> {
  return {
    data: {
      values: Array.from({ length: 12 }, (_, i) => ({ label: `item ${i}`, value: (i * 37 + n) % 100 })),
    },
    mark: "bar",
    encoding: {
      x: { field: "label", type: "nominal" },
      y: { field: "value", type: "quantitative" },
    },
  };
}

describe("chartSvg", () => {
  it("renders a bar chart to inert SVG with one bar per value", async () => {
    const svg = await chartSvg(barSpec(1), "bars");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(12);
    expect(() => assertInertSvg(svg, "chart bars")).not.toThrow();
  });

  it("renders error bars", async () => {
    const svg = await chartSvg(
      {
        data: { values: [{ c: "DE", lo: 0.9, hi: 0.95 }] },
        mark: "errorbar",
        encoding: {
          x: { field: "c", type: "nominal" },
          y: { field: "lo", type: "quantitative" },
          y2: { field: "hi" },
        },
      },
      "errors",
    );
    expect(svg).toContain('aria-roledescription="errorbar"');
  });

  it("names the chart when the spec is unusable", async () => {
    await expect(chartSvg({ mark: "no-such-mark", data: { values: [] } }, "broken-one")).rejects.toThrow(
      /^chart "broken-one": /,
    );
  });

  it("refuses data from a URL instead of fetching it", async () => {
    const spec = { ...barSpec(0), data: { url: "http://127.0.0.1:9/data.json" } };
    await expect(chartSvg(spec, "remote")).rejects.toThrow(/^chart "remote": .*URL/);
  });

  it("renders ten charts quickly", async () => {
    await chartSvg(barSpec(0), "warm-up"); // loads Vega once
    const start = performance.now();
    const svgs = await Promise.all(Array.from({ length: 10 }, (_, i) => chartSvg(barSpec(i), `c${i}`)));
    const ms = performance.now() - start;
    console.log(`chartSvg: 10 charts in ${ms.toFixed(0)} ms`);
    expect(svgs.every((svg) => svg.includes("<svg"))).toBe(true);
  });
});
