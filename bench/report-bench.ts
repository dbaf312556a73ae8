/**
 * `npm run bench:report`: the analyse and report stages of a survey over synthetic records
 * (bench/synthetic-records.ts: planted key-reuse clusters, singletons, no-key records), read from
 * a run directory's records.jsonl exactly as `smtpsurvey report RUNDIR` reads them. The issue's
 * marks: clustering and tallying 1 M records under 60 s in bounded memory; the whole report for
 * 100,000 records under 30 s. Each size runs in its own child process so peak RSS is its own.
 *
 *   node dist/bench/report-bench.js [--sizes 100000,1000000]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyseRun } from "../src/analysis/analyse-run.js";
import { buildReport } from "../src/report/build-report.js";
import { type RunJson, runPaths, writeRunJson } from "../src/store/run-dir.js";
import { plan, syntheticRecords, writeJsonl } from "./synthetic-records.js";

async function child(size: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-report-bench-"));
  const paths = runPaths(dir);
  await writeJsonl(paths.records, syntheticRecords(plan(size)));
  const run: RunJson = {
    format: 1,
    tool: { name: "smtpsurvey", version: "bench" },
    rules: { products: 0, model_trained_at: "bench", model_examples: 0 },
    created_at: new Date().toISOString(),
    parameters: { description: `${size} synthetic records` },
    targets: null,
    stages: {},
  };
  writeRunJson(dir, run);
  const t0 = performance.now();
  const analysis = await analyseRun(paths, run);
  const t1 = performance.now();
  const built = await buildReport(paths, run, analysis);
  const t2 = performance.now();
  process.stdout.write(
    JSON.stringify({
      size,
      analyse: (t1 - t0) / 1000,
      report: (t2 - t1) / 1000,
      clusters: analysis.clusters.length,
      rows: built.databaseRows,
      heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    }),
  );
  rmSync(dir, { recursive: true, force: true });
}

function parent(): void {
  const arg = process.argv.indexOf("--sizes");
  const sizes = (arg > 0 ? (process.argv[arg + 1] ?? "") : "100000,1000000").split(",").map(Number);
  const self = fileURLToPath(import.meta.url);
  const rows: string[] = [];
  for (const size of sizes) {
    const timeFile = join(mkdtempSync(join(tmpdir(), "smtpsurvey-time-")), "time.txt");
    const out = execFileSync(
      "/usr/bin/time",
      ["-f", "%M", "-o", timeFile, process.execPath, self, "--child", String(size)],
      {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      },
    );
    const r = JSON.parse(out) as {
      size: number;
      analyse: number;
      report: number;
      clusters: number;
      rows: number;
    };
    const rssMB = Math.round(Number(execFileSync("cat", [timeFile], { encoding: "utf8" }).trim()) / 1024);
    rows.push(
      `| ${r.size.toLocaleString("en-US")} | ${r.analyse.toFixed(1)} | ${r.report.toFixed(1)} | ${(r.analyse + r.report).toFixed(1)} | ${r.clusters.toLocaleString("en-US")} | ${rssMB} MB |`,
    );
  }
  process.stdout.write(
    `| records | analyse s (clusters + tallies) | report s (CSV, SVG, SQLite, HTML) | total s | clusters | peak RSS |\n|---:|---:|---:|---:|---:|---:|\n${rows.join("\n")}\n`,
  );
}

if (process.argv[2] === "--child") await child(Number(process.argv[3]));
else parent();
