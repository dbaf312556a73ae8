/**
 * The few Vega-Lite 5 chart shapes the tallies need, as plain specs with their data inline (the
 * report renders them to SVG offline; src/report/chart-svg.ts refuses anything that loads).
 * No `$schema`: nothing needs fetching to read them.
 */
import type { ReportChart } from "./report-model.js";

const WIDTH = 480;
const BAR_STEP = 20;

export interface BarDatum {
  label: string;
  value: number;
}

/** Horizontal bars, longest first; `percent` shows the axis as percentages of 0–1 values. */
export function barChart(
  id: string,
  title: string,
  data: readonly BarDatum[],
  axis: { title: string; percent?: boolean },
): ReportChart {
  return {
    id,
    title,
    spec: {
      description: title,
      width: WIDTH,
      height: Math.max(BAR_STEP, data.length * BAR_STEP),
      data: { values: data.map((d) => ({ label: d.label, value: d.value })) },
      mark: { type: "bar", tooltip: true },
      encoding: {
        y: { field: "label", type: "nominal", sort: "-x", title: null },
        x: {
          field: "value",
          type: "quantitative",
          title: axis.title,
          ...(axis.percent ? { axis: { format: "%" }, scale: { domain: [0, 1] } } : {}),
        },
      },
    },
  };
}

export interface StackDatum {
  group: string;
  part: string;
  value: number;
}

/** One horizontal bar per group, split into coloured parts (a product's versions, …). */
export function stackedBarChart(
  id: string,
  title: string,
  data: readonly StackDatum[],
  axis: { title: string; legend: string },
): ReportChart {
  const groups = new Set(data.map((d) => d.group)).size;
  return {
    id,
    title,
    spec: {
      description: title,
      width: WIDTH,
      height: Math.max(BAR_STEP, groups * BAR_STEP),
      data: { values: data.map((d) => ({ group: d.group, part: d.part, value: d.value })) },
      mark: { type: "bar", tooltip: true },
      encoding: {
        y: { field: "group", type: "nominal", sort: "-x", title: null },
        x: { field: "value", type: "quantitative", stack: "zero", title: axis.title },
        color: { field: "part", type: "nominal", title: axis.legend, scale: { scheme: "tableau20" } },
      },
    },
  };
}

export interface IntervalDatum {
  label: string;
  value: number;
  low: number;
  high: number;
}

/** A point per row with its interval as a bar through it (proportions, shown as percentages). */
export function intervalChart(
  id: string,
  title: string,
  data: readonly IntervalDatum[],
  axisTitle: string,
): ReportChart {
  const y = { field: "label", type: "nominal", sort: null, title: null };
  return {
    id,
    title,
    spec: {
      description: title,
      width: WIDTH,
      height: Math.max(BAR_STEP, data.length * BAR_STEP),
      data: { values: data.map((d) => ({ label: d.label, value: d.value, low: d.low, high: d.high })) },
      encoding: { y },
      layer: [
        {
          mark: { type: "rule" },
          encoding: {
            x: { field: "low", type: "quantitative", title: axisTitle, axis: { format: "%" } },
            x2: { field: "high" },
          },
        },
        {
          mark: { type: "point", filled: true, tooltip: true },
          encoding: { x: { field: "value", type: "quantitative" } },
        },
      ],
    },
  };
}
