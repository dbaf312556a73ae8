/**
 * The report stage of a run: tables as CSV, cluster graphs as SVG files, the SQLite database for
 * ad-hoc SQL, and report.html, all from the records and the analysis.
 */
import { mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { RunAnalysis } from "../analysis/analyse-run.js";
import { domainTargets, runRecords } from "../analysis/analyse-run.js";
import type { ReportTable } from "../core/table.js";
import type { Model } from "../fingerprint/model.js";
import { writeTables } from "../store/csv.js";
import { buildRunDatabase } from "../store/run-database.js";
import { type RunJson, type RunPaths, writeFileAtomic } from "../store/run-dir.js";
import { SCHEMA_VERSION } from "../store/schema.js";
import { clusterGraphs, clusterSection } from "./cluster-section.js";
import { renderReport } from "./html.js";
import type { ReportModel } from "./report-model.js";
import { reportSections, summaryFigures } from "./sections.js";

export interface BuiltReport {
  tables: number;
  graphs: number;
  databaseRows: number;
}

export async function buildReport(
  paths: RunPaths,
  run: RunJson,
  analysis: RunAnalysis,
  model: Model | null = null,
): Promise<BuiltReport> {
  const graphs = await clusterGraphs(analysis.clusters);
  const sections = [...reportSections(analysis.tallies), clusterSection(analysis.clusters, graphs.figures)];
  const tables: ReportTable[] = sections.flatMap((s) => s.tables ?? []);

  mkdirSync(paths.tables, { recursive: true });
  await writeTables(paths.tables, tables);
  mkdirSync(paths.graphs, { recursive: true });
  for (const [name, svg] of graphs.files) writeFileAtomic(join(paths.graphs, name), svg);

  const database = await buildRunDatabase(paths.database, {
    records: runRecords(paths, model),
    clusters: analysis.clusters,
    targets: domainTargets(paths),
    tables,
    meta: { tool_version: run.tool.version, run_created_at: run.created_at },
  });

  const reportModel: ReportModel = {
    title: `smtpsurvey report: ${String(run.parameters.description ?? basename(resolve(paths.dir)))}`,
    generatedAt: new Date().toISOString(),
    summary: [
      ...summaryFigures(analysis.tallies),
      { label: "key-reuse clusters", value: String(analysis.clusters.length) },
    ],
    sections,
    provenance: provenance(run),
  };
  writeFileAtomic(paths.report, await renderReport(reportModel));
  return {
    tables: tables.length,
    graphs: graphs.files.size,
    databaseRows: Object.values(database.rows).reduce((a, b) => a + b, 0),
  };
}

/** A run made from imported records (report on a directory holding only records.jsonl) says from what. */
function importedFrom(run: RunJson): string[] {
  const sources = run.parameters.sources;
  if (run.parameters.adopted === undefined || typeof sources !== "object" || sources === null) return [];
  const counts = Object.entries(sources as Record<string, number>).map(
    ([source, n]) => `${n} from ${source}`,
  );
  return [
    `Records not grabbed by this run: ${counts.join(", ")} (docs/interop.md says what each tool's records lack).`,
  ];
}

function provenance(run: RunJson): string[] {
  const targets = run.targets;
  return [
    `${run.tool.name} ${run.tool.version}; record schema ${SCHEMA_VERSION}; rules for ${run.rules.products} products, model trained ${run.rules.model_trained_at} on ${run.rules.model_examples} examples.`,
    `Run created ${run.created_at}; parameters in run.json.`,
    ...importedFrom(run),
    ...(targets?.data_sources ?? []).map((d) => `${d.name} ${d.version}: ${d.licence}. ${d.attribution}`),
    "Charts: Vega-Lite (BSD-3-Clause), rendered to SVG when the report was built. Graphs: Graphviz via @hpcc-js/wasm-graphviz.",
  ];
}
