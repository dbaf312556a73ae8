/** The few lines a finished survey prints: what answered, what runs it, what shares keys, where to look. */
import type { RunAnalysis } from "../analysis/analyse-run.js";
import type { RunJson, RunPaths } from "../store/run-dir.js";

export function printRunSummary(paths: RunPaths, run: RunJson, analysis: RunAnalysis): void {
  const t = analysis.tallies;
  const pct = (n: number, of: number) => (of === 0 ? "0.0" : ((100 * n) / of).toFixed(1));
  const lines = [
    `survey of ${t.endpoints} endpoints on ${t.addresses} addresses: ${t.okEndpoints} answered (${pct(t.okEndpoints, t.endpoints)}%)`,
    `failures: ${
      t.failures.byStatus
        .filter((r) => r.value !== "ok")
        .slice(0, 5)
        .map((r) => `${r.value} ${r.count}`)
        .join(", ") || "none"
    }`,
    `software by host (${t.software.merge.hosts} hosts, ${t.software.merge.mergedAddresses} addresses merged): ${
      t.software.byHost.products
        .slice(0, 6)
        .map((r) => `${r.value} ${r.count}`)
        .join(", ") || "none identified"
    }`,
    `key-reuse clusters: ${analysis.clusters.length}${analysis.clusters[0] ? ` (largest: ${analysis.clusters[0].size} endpoints on ${analysis.clusters[0].hosts} hosts)` : ""}`,
  ];
  if (t.estimates) {
    const row = t.estimates.rows[0];
    if (row)
      lines.push(
        `estimate: ${row.label}: ${row.population.toFixed(0)} (95% CI ${row.populationLow.toFixed(0)}–${row.populationHigh.toFixed(0)}) of ${t.estimates.spaceSize} addresses`,
      );
  }
  const stages = Object.entries(run.stages)
    .map(([name, s]) => `${name} ${s?.seconds ?? "?"} s`)
    .join(", ");
  lines.push(`stages: ${stages}`, `report: ${paths.report}`);
  process.stderr.write(lines.map((l) => `smtpsurvey: ${l}\n`).join(""));
}
