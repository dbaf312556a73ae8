/**
 * The estimates section, present only when the targets were a random sample of an address space:
 * each proportion with its Wilson score interval, and the count scaled up to the whole space, so
 * a reader sees both what was found and how far it can be trusted.
 */
import type { Estimates } from "../../analysis/tally-types.js";
import { intervalChart } from "../chart-specs.js";
import type { ReportSection } from "../report-model.js";
import { countText } from "./prose-numbers.js";
import { countColumn, percentColumn, textColumn } from "./section-tables.js";

export function estimateSection(e: Estimates): ReportSection {
  const rows = e.rows.map((r) => ({
    label: r.label,
    successes: r.successes,
    trials: r.trials,
    of: r.of,
    p: r.p,
    low: r.low,
    high: r.high,
    population: Math.round(r.population),
    population_low: Math.round(r.populationLow),
    population_high: Math.round(r.populationHigh),
  }));
  const confidence = `${Math.round(100 * (2 * normalCdf(e.z) - 1))} %`;
  return {
    id: "estimates",
    title: "Estimates",
    paragraphs: [
      `The targets were a sample of ${countText(e.sampled)} addresses from a space of ${countText(e.spaceSize)}. Each proportion ` +
        `has its ${confidence} Wilson score interval; the population columns scale the count in the sample to the ` +
        "whole space (space × count ÷ sample), with the interval scaled alike.",
    ],
    charts: [
      intervalChart(
        "estimates",
        `Proportions with ${confidence} intervals`,
        e.rows.map((r) => ({ label: `${r.label} (of ${r.of})`, value: r.p, low: r.low, high: r.high })),
        "proportion",
      ),
    ],
    tables: [
      {
        id: "estimates",
        title: "Estimates with intervals",
        columns: [
          textColumn("label", "proportion"),
          countColumn("successes", "count"),
          countColumn("trials", "out of"),
          textColumn("of", "out of what"),
          percentColumn("p", "share"),
          percentColumn("low", "low"),
          percentColumn("high", "high"),
          countColumn("population", "in the space"),
          countColumn("population_low", "low"),
          countColumn("population_high", "high"),
        ],
        rows,
      },
    ],
  };
}

/** Φ(z), for naming the interval's level (Abramowitz and Stegun 7.1.26, error under 1.5e-7) */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
