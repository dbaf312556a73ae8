/**
 * Import and export at scale: a survey of N hosts as records (each with a real SSH host key of its
 * own, and on port 25 a real lab certificate shared in clusters of 50 by the first hosts, so that
 * collisions.json has work to do), through `smtpsurvey export --format sftcd` and back through
 * `smtpsurvey import --format sftcd`, each under /usr/bin/time for its wall time and peak RSS.
 * The clusters before and after must be the same, or the bench fails.
 *
 *   node dist/bench/interop-bench.js [--hosts 50000]
 *
 * Prints markdown and writes bench/results/interop.md. No network traffic at all.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clustersOf } from "../src/analysis/clusters.js";
import { repoRoot } from "../src/core/paths.js";
import { hostKey } from "../src/interop/zgrab2-ssh.js";
import { readRecords } from "../src/store/read-records.js";
import { blankRecord, emptySmtpRecord, type ScanRecord } from "../src/store/schema.js";
import { numberArg, parseArgs, timed } from "./common.js";

const MB = 1024 * 1024;

import { writeJsonl } from "./synthetic-records.js";

const CLUSTER_SIZE = 50;

function ed25519Blob(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64");
}

/** The lab's real leaf certificates (test/fixtures/lab): one per planted cluster, reused in turn */
function labCertificates(): NonNullable<ScanRecord["tls"]>[] {
  const dir = join(repoRoot(), "test", "fixtures", "lab");
  const seen = new Set<string>();
  const out: NonNullable<ScanRecord["tls"]>[] = [];
  for (const name of [
    "postfix-25",
    "exim-25",
    "chasquid-25",
    "dovecot-993",
    "mailutils-993",
    "nginx-443",
    "sendmail-25",
    "haraka-25",
    "qpsmtpd-25",
    "courier-25",
  ]) {
    try {
      const record = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as ScanRecord;
      const leaf = record.tls?.chain[0];
      if (record.tls && leaf && !seen.has(leaf.spki_sha256)) {
        seen.add(leaf.spki_sha256);
        out.push({ ...record.tls, names: null });
      }
    } catch {
      // a fixture the lab no longer has
    }
  }
  return out;
}

function* survey(hosts: number): Generator<ScanRecord> {
  const certificates = labCertificates();
  const clustered = certificates.length * CLUSTER_SIZE;
  for (let n = 0; n < hosts; n++) {
    const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    const started_at = "2026-12-04T00:00:00.000Z";
    const ssh = blankRecord({ ip, port: 22, protocol: "ssh", status: "ok", started_at, duration_ms: 40 });
    ssh.ssh = {
      banner: "SSH-2.0-OpenSSH_9.2p1",
      kex: null,
      host_keys: [hostKey(ed25519Blob(), "ssh-ed25519", "bench")],
      errors: [],
    };
    yield ssh;
    const smtp = blankRecord({ ip, port: 25, protocol: "smtp", status: "ok", started_at, duration_ms: 120 });
    smtp.smtp = { ...emptySmtpRecord(), banner: "220 mx.example ESMTP" };
    if (n < clustered) smtp.tls = certificates[Math.floor(n / CLUSTER_SIZE)] ?? null;
    yield smtp;
  }
}

const shape = async (path: string) =>
  (await clustersOf(readRecords(path))).map(
    (c) => `${c.id} ${c.members.map((m) => `${m.ip}:${m.port}`).join(",")}`,
  );

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const hosts = numberArg(args, "hosts", 50_000);
  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-interop-bench-"));
  const cli = join(repoRoot(), "bin", "smtpsurvey.js");
  try {
    const records = join(dir, "run", "records.jsonl");
    mkdirSync(join(dir, "run"));
    const count = await writeJsonl(records, survey(hosts));
    const fresh = join(dir, "fresh", "records.fresh");
    const exported = await timed(
      process.execPath,
      [cli, "export", "--format", "sftcd", join(dir, "run"), "-o", fresh, "-q"],
      30 * 60_000,
    );
    if (exported.code !== 0) throw new Error(`export failed: ${exported.stderr}`);
    const back = join(dir, "back", "records.jsonl");
    const imported = await timed(
      process.execPath,
      [cli, "import", "--format", "sftcd", fresh, "-o", back, "-q"],
      30 * 60_000,
    );
    if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const [before, after] = [await shape(records), await shape(back)];
    if (JSON.stringify(before) !== JSON.stringify(after))
      throw new Error("the clusters differ after the round trip");
    const collisions = JSON.parse(readFileSync(join(dir, "fresh", "collisions.json"), "utf8")) as unknown[];
    const row = (name: string, run: typeof exported, bytes: number) =>
      `| ${name} | ${count.toLocaleString("en")} | ${run.wallSeconds.toFixed(1)} | ${Math.round(count / run.wallSeconds).toLocaleString("en")} | ${run.maxRssKb ? Math.round(run.maxRssKb / 1024) : "?"} | ${(bytes / MB).toFixed(0)} |`;
    const lines = [
      `# interop: ${hosts.toLocaleString("en")} hosts, ${count.toLocaleString("en")} records through records.fresh and back`,
      "",
      `records.jsonl ${(statSync(records).size / MB).toFixed(0)} MB; ${before.length} clusters (${CLUSTER_SIZE} hosts each on one certificate), the same after the round trip; collisions.json ${collisions.length.toLocaleString("en")} entries.`,
      "",
      "| step | records | seconds | records/s | peak RSS MB | output MB |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      row("export --format sftcd", exported, statSync(fresh).size),
      row("import --format sftcd", imported, statSync(back).size),
      "",
    ];
    const text = lines.join("\n");
    process.stdout.write(`${text}\n`);
    mkdirSync(join(repoRoot(), "bench", "results"), { recursive: true });
    writeFileSync(join(repoRoot(), "bench", "results", "interop.md"), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
