/**
 * The versions section: how the hosts of the commonest identified products spread over versions,
 * since a product's share says little about how up to date its installations are. Long tails fold
 * into "other" in the chart only; the table keeps every version.
 */
import type { SoftwareCounts } from "../../analysis/tally-types.js";
import type { Cell } from "../../core/table.js";
import { stackedBarChart } from "../chart-specs.js";
import type { ReportSection } from "../report-model.js";
import { countColumn, percentColumn, textColumn } from "./section-tables.js";

export function versionSection(hosts: SoftwareCounts, products: number, perProduct: number): ReportSection {
  const shown = hosts.versions.slice(0, products);
  const rows: Array<Record<string, Cell>> = [];
  const stack: Array<{ group: string; part: string; value: number }> = [];
  for (const p of shown) {
    for (const v of p.versions)
      rows.push({ product: p.product, version: v.value, count: v.count, share: v.share });
    for (const v of p.versions.slice(0, perProduct))
      stack.push({ group: p.product, part: v.value, value: v.count });
    const rest = p.versions.slice(perProduct).reduce((sum, v) => sum + v.count, 0);
    if (rest > 0) stack.push({ group: p.product, part: "other", value: rest });
  }
  return {
    id: "versions",
    title: "Versions",
    paragraphs: [
      `The version spread of the ${shown.length} most common identified products, hosts as the unit. A version ` +
        "range (from the product's version ladder) stands in where no exact version was read.",
    ],
    // an empty stack has no extent to draw (Vega warns): no chart when nothing was identified
    charts:
      stack.length === 0
        ? []
        : [
            stackedBarChart("versions", "Versions of the top products", stack, {
              title: "hosts",
              legend: "version",
            }),
          ],
    tables: [
      {
        id: "versions",
        title: "Versions of the top products",
        columns: [
          textColumn("product", "product"),
          textColumn("version", "version"),
          countColumn("count", "hosts"),
          percentColumn("share", "share of the product"),
        ],
        rows,
      },
    ],
  };
}
