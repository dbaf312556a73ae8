/**
 * The report's sections from the tallies (tally-types.ts), in page order; each is built in its own
 * file under sections/. A section is a few sentences, tables whose column keys are stable (they
 * become CSV headers, tables/<id>.csv) and Vega-Lite charts with their data inline. Long tables
 * are "long" (one row per value) rather than one column per product or port, so the columns never
 * depend on what a run found. The key-reuse section needs rendered graphs and is added by
 * build-report.ts (cluster-section.ts).
 */
import type { TallyResult } from "../analysis/tally-types.js";
import type { ReportSection } from "./report-model.js";
import { estimateSection } from "./sections/estimates.js";
import { failureSection } from "./sections/failures.js";
import { summarySection } from "./sections/headline-figures.js";
import { marketShareSection } from "./sections/market-share.js";
import { priorSection } from "./sections/priors.js";
import { tlsSection } from "./sections/tls-posture.js";
import { versionSection } from "./sections/versions.js";

export { summaryFigures } from "./sections/headline-figures.js";

export interface SectionOptions {
  /** products shown in the market-share charts (tables keep every row); default 15 */
  topProducts?: number;
  /** products whose versions are shown; default 8 */
  versionProducts?: number;
  /** versions shown per product before "other"; default 8 */
  versionsPerProduct?: number;
}

export function reportSections(result: TallyResult, options: SectionOptions = {}): ReportSection[] {
  const sections = [
    summarySection(result),
    failureSection(result),
    marketShareSection(result, options.topProducts ?? 15),
    versionSection(result.software.byHost, options.versionProducts ?? 8, options.versionsPerProduct ?? 8),
    tlsSection(result.tls),
  ];
  if (result.estimates) sections.push(estimateSection(result.estimates));
  if (result.priors?.length) sections.push(priorSection(result.priors));
  // a chart with no data has nothing to draw (and Vega warns about its empty extent)
  for (const section of sections) section.charts = section.charts?.filter(hasData);
  return sections;
}

function hasData(chart: { spec: Record<string, unknown> }): boolean {
  const values = (chart.spec.data as { values?: unknown[] } | undefined)?.values;
  return values === undefined || values.length > 0;
}
