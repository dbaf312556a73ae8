/**
 * The run database at scale (issue 7): N records streamed into buildRunDatabase, timed, with each
 * phase in its own child under /usr/bin/time so its peak RSS is its own:
 *
 *   generate           the synthetic records alone (bench/synthetic-records.ts): the input's cost
 *   synthetic          the same stream into the database (records, certificates, SSH keys)
 *   synthetic+clusters a clustering pass first (ClusterBuilder), then the database with the
 *                      clusters and one report table: what `report` will do
 *   lab-shaped         the lab's golden records (test/fixtures/lab) cycled under new addresses:
 *                      real-sized records with transcripts, so the `json` column weighs what it will
 *
 *   node dist/bench/sqlite-bench.js [--records 100000] [--batch 10000]
 *
 * Prints markdown and writes bench/results/sqlite.md. No network traffic at all: the addresses
 * are data only.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClusterBuilder } from "../src/analysis/clusters.js";
import { repoRoot } from "../src/core/paths.js";
import type { ReportTable } from "../src/core/table.js";
import { buildRunDatabase } from "../src/store/run-database.js";
import { type ScanRecord, ScanRecordSchema } from "../src/store/schema.js";
import { lastJsonLine, MB, numberArg, parseArgs, type TimedRun, timed } from "./common.js";
import { ipOf, plan, syntheticRecords } from "./synthetic-records.js";

interface PhaseResult {
  phase: string;
  records: number;
  /** seconds in the clustering pass (synthetic+clusters only) */
  clusterSeconds: number;
  /** seconds in buildRunDatabase (for `generate`: generating) */
  databaseSeconds: number;
  databaseBytes: number;
  rows: number;
}

const args = parseArgs(process.argv.slice(2));
const records = numberArg(args, "records", 100_000);
const batchRows = numberArg(args, "batch", 10_000);

/** the lab's records, over and over, each under a fresh address (11.0.0.0 on: data only) */
function* labShaped(n: number): Generator<ScanRecord> {
  const dir = join(repoRoot(), "test", "fixtures", "lab");
  const fixtures = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ScanRecordSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8"))));
  for (let i = 0; i < n; i++) {
    const record = fixtures[i % fixtures.length] as ScanRecord;
    yield { ...record, ip: ipOf(Math.floor(i / fixtures.length), false) };
  }
}

function portTable(counts: Map<number, number>): ReportTable {
  return {
    id: "records-by-port",
    title: "Records by port",
    columns: [
      { key: "port", label: "Port", numeric: true },
      { key: "records", label: "Records", numeric: true, format: "count" },
    ],
    rows: [...counts].map(([port, n]) => ({ port, records: n })),
  };
}

async function databasePhase(phase: string, path: string): Promise<void> {
  let clusterSeconds = 0;
  let clusters: ReturnType<ClusterBuilder["build"]> = [];
  const tables: ReportTable[] = [];
  if (phase === "synthetic+clusters") {
    const started = performance.now();
    const builder = new ClusterBuilder();
    const byPort = new Map<number, number>();
    for (const record of syntheticRecords(plan(records))) {
      builder.add(record);
      byPort.set(record.port, (byPort.get(record.port) ?? 0) + 1);
    }
    clusters = builder.build();
    tables.push(portTable(byPort));
    clusterSeconds = (performance.now() - started) / 1000;
  }
  const source = phase === "lab-shaped" ? labShaped(records) : syntheticRecords(plan(records));
  const started = performance.now();
  const summary = await buildRunDatabase(path, { records: source, clusters, tables }, { batchRows });
  const result: PhaseResult = {
    phase,
    records: summary.rows.records ?? 0,
    clusterSeconds,
    databaseSeconds: (performance.now() - started) / 1000,
    databaseBytes: statSync(path).size,
    rows: Object.values(summary.rows).reduce((a, b) => a + b, 0),
  };
  console.log(JSON.stringify(result));
}

function generatePhase(): void {
  const started = performance.now();
  let n = 0;
  for (const _ of syntheticRecords(plan(records))) n += 1;
  const result: PhaseResult = {
    phase: "generate",
    records: n,
    clusterSeconds: 0,
    databaseSeconds: (performance.now() - started) / 1000,
    databaseBytes: 0,
    rows: 0,
  };
  console.log(JSON.stringify(result));
}

async function runPhase(phase: string, path: string): Promise<PhaseResult & { run: TimedRun }> {
  const self = fileURLToPath(import.meta.url);
  const run = await timed(
    process.execPath,
    [self, "--phase", phase, "--file", path, "--records", String(records), "--batch", String(batchRows)],
    30 * 60_000,
  );
  if (run.code !== 0) throw new Error(`phase ${phase} failed (${run.code}):\n${run.stderr}`);
  return { ...lastJsonLine<PhaseResult>(run.stdout), run };
}

async function main(): Promise<void> {
  const phase = args.get("phase");
  const file = args.get("file");
  if (phase === "generate") return generatePhase();
  if (phase !== undefined) {
    if (!file) throw new Error("--file is required with --phase");
    return databasePhase(phase, file);
  }

  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-sqlite-bench-"));
  const results: Array<PhaseResult & { run: TimedRun }> = [];
  try {
    for (const p of ["generate", "synthetic", "synthetic+clusters", "lab-shaped"]) {
      results.push(await runPhase(p, join(dir, `${p.replace(/\W/g, "-")}.sqlite`)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const lines = [
    `# Run database: ${records.toLocaleString("en")} records`,
    "",
    `buildRunDatabase with ${batchRows.toLocaleString("en")} rows per transaction, indexes and ANALYZE included;`,
    `node ${process.version}. \`generate\` is the synthetic input alone, which the next two include.`,
    "Rows count every table (records, certificates, SSH keys, clusters, …).",
    "",
    "| phase | records | rows | cluster s | database s | records/s | process wall s | process CPU s | peak RSS | file |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    const rate = r.databaseSeconds > 0 ? Math.round(r.records / r.databaseSeconds).toLocaleString("en") : "";
    lines.push(
      `| ${r.phase} | ${r.records.toLocaleString("en")} | ${r.rows ? r.rows.toLocaleString("en") : ""} | ` +
        `${r.clusterSeconds ? r.clusterSeconds.toFixed(1) : ""} | ${r.databaseSeconds.toFixed(1)} | ${rate} | ` +
        `${r.run.wallSeconds.toFixed(1)} | ${r.run.cpuSeconds?.toFixed(1) ?? "?"} | ${MB(r.run.maxRssKb)} | ` +
        `${r.databaseBytes ? `${(r.databaseBytes / 2 ** 20).toFixed(0)} MB` : ""} |`,
    );
  }
  const report = `${lines.join("\n")}\n`;
  console.log(report);
  const out = join(repoRoot(), "bench", "results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "sqlite.md"), report);
}

await main();
