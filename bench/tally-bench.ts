/**
 * Tallies at scale (issue 7: 1 M records well inside 60 s, memory bounded by distinct hosts,
 * keys and products, never by records). The synthetic records of bench/synthetic-records.ts carry
 * keys only, so each is dressed here, deterministically by its index, as a survey record would be:
 * a status mix with error details, an EHLO reply (with STARTTLS for most), a product and version
 * for the answering ones, a server name shared by endpoints that share a key (so host merging has
 * work to do), and TLS name checks. Domain targets (two MX each, the primary often down) and a
 * sample size come along, so every part of the tally runs. Each phase runs in its own child under
 * /usr/bin/time, so its peak RSS is its own:
 *
 *   generate   the dressed synthetic records alone: the cost of the input
 *   tally      the same stream through Tallies, then result(): tallying itself
 *   sections   tally, then reportSections() on the result (what the report adds)
 *   write      the records as a JSON Lines file (setup for the next phase)       [--jsonl]
 *   jsonl      that file through readRecords (zod-validated) and Tallies         [--jsonl]
 *
 *   node dist/bench/tally-bench.js [--records 1000000] [--jsonl] [--out bench/results/tally.md]
 *
 * No network traffic at all: addresses are data.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tallies } from "../src/analysis/tallies.js";
import type { TallyResult } from "../src/analysis/tally-types.js";
import type { Target } from "../src/core/target.js";
import { reportSections } from "../src/report/sections.js";
import { readRecords } from "../src/store/read-records.js";
import { emptySmtpRecord, type ScanRecord } from "../src/store/schema.js";
import { MB, numberArg, parseArgs, runPhaseChild, sampleHeapMb, type TimedRun } from "./common.js";
import { ipOf, plan, syntheticRecords, writeJsonl } from "./synthetic-records.js";

interface PhaseResult {
  phase: string;
  records: number;
  /** seconds generating/reading and adding records */
  addSeconds: number;
  /** seconds in result() (and reportSections in the sections phase) */
  buildSeconds: number;
  hosts: number;
  mergedAddresses: number;
  domains: number;
  bytes?: number;
  peakHeapMb: number;
}

const args = parseArgs(process.argv.slice(2));
const records = numberArg(args, "records", 1_000_000);
const DOMAINS = Math.floor(records / 5);

/** [product, vendor, share of answering SMTP endpoints, versions] roughly as SecuritySpace 2023 */
const PRODUCTS: Array<[string, string, number, string[]]> = [
  ["exim", "University of Cambridge", 0.5, ["4.96", "4.97", "4.98", "4.94.2", "4.95"]],
  ["postfix", "Wietse Venema", 0.33, ["3.7.11", "3.8.6", "3.9.1", "3.5.25", "3.6.4"]],
  ["sendmail", "Proofpoint", 0.04, ["8.17.1", "8.15.2"]],
  ["microsoft-exchange", "Microsoft", 0.03, ["2019", "2016"]],
  ["opensmtpd", "OpenBSD", 0.01, ["6.8.0", "7.4.0"]],
];

function mix(n: number): number {
  let h = Math.imul(n ^ (n >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function software(product: string, vendor: string | null, version: string | null, confidence: number) {
  return {
    product,
    vendor,
    kind: product === "openssh" ? "ssh-server" : product === "unknown" ? null : "open-source-mta",
    version,
    version_range: null,
    os: null,
    hint: null,
    confidence,
    alternatives: [],
    evidence: [],
  };
}

/** The synthetic record `record` (number i) dressed as a survey record. */
function dress(record: ScanRecord, i: number): ScanRecord {
  const u = mix(i);
  if (u < 0.06) {
    const failure = (
      ["refused", "connect-timeout", "banner-timeout", "reset", "closed-before-banner"] as const
    )[i % 5] as ScanRecord["status"];
    record.status = failure;
    record.error =
      failure === "refused"
        ? `connect ECONNREFUSED ${record.ip}:${record.port}`
        : failure === "connect-timeout"
          ? `connect ETIMEDOUT ${record.ip}:${record.port}`
          : `${failure} after ${(i % 7) + 1} s`;
    record.tls = null;
    record.ssh = null;
    return record;
  }
  if (record.protocol === "ssh") {
    record.software = software("openssh", "OpenBSD", u < 0.5 ? "9.2p1" : "8.4p1", 0.97);
    return record;
  }
  if (record.protocol !== "smtp" && record.protocol !== "smtps") return record;
  const leaf = record.tls?.chain[0];
  // endpoints that share a key share a name too (one host on several addresses), the rest their own
  const name = leaf ? `mx-${leaf.spki_sha256.slice(0, 10)}.example.test` : `mx-${record.ip}.example.test`;
  const keywords = ["PIPELINING", "SIZE 52428800", "8BITMIME"];
  if (record.tls || u < 0.7) keywords.push("STARTTLS");
  record.smtp = { ...emptySmtpRecord(), banner: `220 ${name} ESMTP`, ehlo: [name, ...keywords] };
  if (record.tls) {
    record.tls.names = { ptr: null, ptr_match: null, server_name: name, server_name_match: u < 0.8 };
    if (leaf && u < 0.1) leaf.not_after = "2025-06-01T00:00:00.000Z";
    if (leaf && u > 0.95) leaf.key_bits = 1024;
  }
  let cumulative = 0.08;
  if (u < cumulative) {
    record.software = software("unknown", null, null, 0.6);
    return record;
  }
  for (const [product, vendor, share, versions] of PRODUCTS) {
    cumulative += share;
    if (u < cumulative || product === "opensmtpd") {
      record.software = software(product, vendor, versions[i % versions.length] ?? null, 0.5 + u / 2);
      return record;
    }
  }
  return record;
}

function* dressedRecords(): Generator<ScanRecord> {
  let i = 0;
  for (const record of syntheticRecords(plan(records))) yield dress(record, i++);
}

/** Domains with two MX each on singleton addresses (port 25 there answers, or not) */
function* targets(): Generator<Target> {
  const p = plan(records);
  const last = p.clusters.at(-1);
  const first = last ? last.firstAddress + last.hosts : 0;
  for (let d = 0; d < DOMAINS; d++) {
    const domain = `d${d}.example.test`;
    const category = ["news", "shop", "bank", "school"][d % 4] as string;
    yield { ip: ipOf(first + 1 + 3 * d, false), domain, mx: `mx1.${domain}`, mx_preference: 10, category };
    yield { ip: ipOf(first + 2 + 3 * d, false), domain, mx: `mx2.${domain}`, mx_preference: 20, category };
  }
}

async function tallyPhase(
  phase: string,
  source: AsyncIterable<ScanRecord> | Iterable<ScanRecord>,
  withSections: boolean,
): Promise<void> {
  const peakHeap = sampleHeapMb();
  const started = performance.now();
  const tallies = new Tallies({ targets: targets(), sample: { sampled: records, spaceSize: 2 ** 32 } });
  let n = 0;
  for await (const record of source) {
    tallies.add(record);
    n += 1;
  }
  const added = performance.now();
  const result: TallyResult = tallies.result();
  let tables = 0;
  if (withSections) tables = reportSections(result).reduce((sum, s) => sum + (s.tables?.length ?? 0), 0);
  const built = performance.now();
  check(result, n, withSections ? tables : undefined);
  const out: PhaseResult = {
    phase,
    records: n,
    addSeconds: (added - started) / 1000,
    buildSeconds: (built - added) / 1000,
    hosts: result.software.merge.hosts,
    mergedAddresses: result.software.merge.mergedAddresses,
    domains: result.domains?.domains ?? 0,
    peakHeapMb: peakHeap(),
  };
  console.log(JSON.stringify(out));
}

/** Sanity checks that fail the bench: everything counted once, the parts present. */
function check(result: TallyResult, n: number, tables: number | undefined): void {
  const problems: string[] = [];
  if (result.records !== n) problems.push(`records ${result.records} ≠ ${n}`);
  if (result.failures.records !== n) problems.push(`failure records ${result.failures.records} ≠ ${n}`);
  if (result.software.merge.mergedAddresses <= 0) problems.push("no addresses merged");
  if (result.domains?.domains !== DOMAINS) problems.push(`domains ${result.domains?.domains} ≠ ${DOMAINS}`);
  if (!result.estimates || result.estimates.rows.length < 3) problems.push("no estimates");
  if ((result.tls[0]?.expired ?? 0) === 0) problems.push("no expired certificates found");
  if (tables !== undefined && tables < 10) problems.push(`only ${tables} tables`);
  if (problems.length > 0) throw new Error(`tally check failed: ${problems.join("; ")}`);
}

async function generatePhase(): Promise<void> {
  const peakHeap = sampleHeapMb();
  const started = performance.now();
  let n = 0;
  for (const _ of dressedRecords()) n += 1;
  const out: PhaseResult = {
    phase: "generate",
    records: n,
    addSeconds: (performance.now() - started) / 1000,
    buildSeconds: 0,
    hosts: 0,
    mergedAddresses: 0,
    domains: 0,
    peakHeapMb: peakHeap(),
  };
  console.log(JSON.stringify(out));
}

async function writePhase(path: string): Promise<void> {
  const peakHeap = sampleHeapMb();
  const started = performance.now();
  const n = await writeJsonl(path, dressedRecords());
  const result: PhaseResult = {
    phase: "write",
    records: n,
    addSeconds: (performance.now() - started) / 1000,
    buildSeconds: 0,
    hosts: 0,
    mergedAddresses: 0,
    domains: 0,
    bytes: statSync(path).size,
    peakHeapMb: peakHeap(),
  };
  console.log(JSON.stringify(result));
}

function runPhase(phase: string, extra: string[] = []): Promise<PhaseResult & { run: TimedRun }> {
  return runPhaseChild<PhaseResult>(fileURLToPath(import.meta.url), phase, records, extra);
}

async function main(): Promise<void> {
  const phase = args.get("phase");
  const file = args.get("file");
  if (phase === "generate") return generatePhase();
  if (phase === "tally") return tallyPhase("tally", dressedRecords(), false);
  if (phase === "sections") return tallyPhase("sections", dressedRecords(), true);
  if (phase === "write" && file) return writePhase(file);
  if (phase === "jsonl" && file) return tallyPhase("jsonl", readRecords(file), false);
  if (phase !== undefined) throw new Error(`unknown phase ${phase} (or --file missing)`);

  const results = [await runPhase("generate"), await runPhase("tally"), await runPhase("sections")];
  if (args.has("jsonl")) {
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-tally-"));
    const path = join(dir, "records.jsonl");
    try {
      results.push(await runPhase("write", ["--file", path]));
      results.push(await runPhase("jsonl", ["--file", path]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const tally = results.find((r) => r.phase === "tally");
  const lines = [
    `# Tallies: ${records.toLocaleString("en")} records`,
    "",
    `Synthetic records (bench/synthetic-records.ts, dressed with statuses, EHLO, software and TLS names) and ` +
      `${DOMAINS.toLocaleString("en")} domains with two MX each; node ${process.version}.`,
    `Host merging joined ${tally?.mergedAddresses.toLocaleString("en") ?? "?"} addresses into others, leaving ` +
      `${tally?.hosts.toLocaleString("en") ?? "?"} hosts. \`generate\` is the input alone: the other phases include it.`,
    "",
    "| phase | records | read/add s | result s | total s | process wall s | process CPU s | peak RSS | peak heap |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.phase} | ${r.records.toLocaleString("en")} | ${r.addSeconds.toFixed(1)} | ${r.buildSeconds.toFixed(2)} | ` +
        `${(r.addSeconds + r.buildSeconds).toFixed(1)} | ${r.run.wallSeconds.toFixed(1)} | ${r.run.cpuSeconds?.toFixed(1) ?? "?"} | ` +
        `${MB(r.run.maxRssKb)} | ${r.peakHeapMb.toFixed(0)} MB |`,
    );
  }
  const written = results.find((r) => r.phase === "write");
  if (written?.bytes) lines.push("", `The JSON Lines file: ${(written.bytes / 2 ** 20).toFixed(0)} MB.`);
  const report = `${lines.join("\n")}\n`;
  console.log(report);
  const out = args.get("out") ?? fileURLToPath(new URL("../../bench/results/tally.md", import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report);
}

await main();
