/**
 * The priors section: per protocol, the prior over products that identification started from
 * (the world's, rules/priors.yaml) beside the one this run re-estimated from its own records, so a
 * reader can see how much the run's population moved the weighing of ambiguous answers.
 */
import type { PriorTable } from "../../analysis/tally-types.js";
import type { ReportSection } from "../report-model.js";
import { countText } from "./prose-numbers.js";
import { percentColumn, textColumn } from "./section-tables.js";

export function priorSection(priors: PriorTable[]): ReportSection {
  return {
    id: "priors",
    title: "Priors over products",
    paragraphs: [
      "Identification weighs each record's evidence by a prior over products. The world prior comes " +
        "from published population figures (rules/priors.yaml names each source and date); the run's " +
        "prior is re-estimated from this run's own records by expectation-maximisation, so that an " +
        "ambiguous record is weighed against what this survey found. Products at 0.5 % or more under " +
        "either prior are listed.",
    ],
    tables: priors.map((p) => ({
      id: `priors-${p.protocol}`,
      title: `${p.protocol.toUpperCase()}: prior over products (${countText(p.records)} records)`,
      columns: [
        textColumn("product", "product"),
        percentColumn("world", "world prior"),
        percentColumn("run", "this run's prior"),
      ],
      rows: p.rows.map((r) => ({ product: r.product, world: r.world, run: r.run })),
    })),
  };
}
