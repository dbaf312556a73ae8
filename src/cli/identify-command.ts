/**
 * `smtpsurvey identify HOST[:PORT]`: one host's software with a calibrated confidence, probing
 * adaptively; or `identify -i records.jsonl -o out.jsonl`: saved records again with today's rules.
 */
import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { PLANNER_DEFAULTS, probePlanner } from "../fingerprint/adaptive.js";
import { extractFeatures } from "../fingerprint/features.js";
import { identifyRecord } from "../fingerprint/identify.js";
import { fires, loadModel } from "../fingerprint/model.js";
import { loadProbes } from "../protocols/smtp/probes.js";
import { ReverseNames } from "../scan/reverse-dns.js";
import { readRecords } from "../store/read-records.js";
import { reportAndExit, seconds, usageError } from "./errors.js";
import { showIdentification } from "./identify-output.js";
import { addressOf, parseHostPort, scanOne } from "./single-host.js";

interface IdentifyFlags {
  verbose: number;
  json?: boolean;
  trigger: string;
  timeout: string;
  connectTimeout: string;
  dns: boolean;
  scope?: string;
  resolver?: string;
  ehlo?: string;
  input?: string;
  output?: string;
}

const increase = (_: string, previous: number) => previous + 1;

export function register(program: Command): void {
  program
    .command("identify")
    .description("name the software behind one server (product, version, calibrated confidence)")
    .argument("[target]", "HOST[:PORT], port 25 by default")
    .option(
      "-v, --verbose",
      "evidence and weights; twice: every command and reply; thrice: debugging",
      increase,
      0,
    )
    .option("--json", "print the record (with `software`) as JSON")
    .option("--trigger <percent>", "list every candidate above this probability (at least three)", "1")
    .option("-t, --timeout <seconds>", "reply timeout", "10")
    .option("-c, --connect-timeout <seconds>", "TCP connect timeout", "10")
    .option("--no-dns", "do not look up the reverse name")
    .option("--scope <cidrs>", "the CIDRs this command may connect to (required to connect)")
    .option("--resolver <ips>", "DNS servers for the reverse name (default: the machine's)")
    .option("--ehlo <name>", "the name announced in EHLO/HELO")
    .option("-i, --input <file>", "re-identify saved records (JSON Lines) offline instead")
    .option("-o, --output <file>", "with -i: where the records go (- for stdout)", "-")
    .action(async (target: string | undefined, flags: IdentifyFlags) => {
      try {
        if (flags.input) await identifyFile(flags.input, flags.output ?? "-");
        else if (target) await identifyHost(target, flags);
        else usageError("identify needs HOST[:PORT] or -i records.jsonl");
      } catch (error) {
        reportAndExit(error);
      }
    });
}

async function identifyHost(target: string, flags: IdentifyFlags): Promise<void> {
  const trigger = Number(flags.trigger);
  if (!Number.isFinite(trigger) || trigger < 0 || trigger > 100)
    usageError(`--trigger takes a percentage, not ${JSON.stringify(flags.trigger)}`);
  const { host, port } = parseHostPort(target, 25);
  const replyTimeoutMs = seconds("-t", flags.timeout);
  const connectTimeoutMs = seconds("-c", flags.connectTimeout);
  const resolvers = flags.resolver?.split(",").map((s) => s.trim());
  const ip = await addressOf(host);
  const model = loadModel();
  const trace = flags.verbose >= 3 ? (m: string) => process.stderr.write(`${m}\n`) : undefined;
  const planner = probePlanner(model, { ...PLANNER_DEFAULTS, probes: [...loadProbes().keys()], trace });
  const record = await scanOne({
    scope: flags.scope,
    ip,
    port,
    name: ip === host ? null : host,
    replyTimeoutMs,
    connectTimeoutMs,
    ehloName: flags.ehlo,
    probes: [],
    probePlanner: planner,
    resolvers,
  });
  const software = identifyRecord(model, record);
  if (!software || !["ok", "rejected"].includes(record.status)) {
    process.stdout.write(
      `no ${record.protocol.toUpperCase()} service answers on ${ip}:${port} (${record.status}${record.error ? `: ${record.error}` : ""})\n`,
    );
    process.exitCode = 1;
    return;
  }
  record.software = software;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return;
  }
  const reverseName = flags.dns ? await new ReverseNames(resolvers).lookup(ip) : null;
  process.stdout.write(
    showIdentification(record, software, { verbose: flags.verbose, trigger: trigger / 100, reverseName }),
  );
  if (flags.verbose >= 3) {
    const features = extractFeatures(record);
    process.stdout.write("  features:\n");
    for (const [name, value] of features) process.stdout.write(`    ${name} = ${JSON.stringify(value)}\n`);
    process.stdout.write("  rules that fired:\n");
    for (const rule of model.candidates(record.protocol).flatMap((p) => p.rules))
      if (fires(rule, features)) process.stdout.write(`    ${rule.key}\n`);
  }
}

async function identifyFile(input: string, output: string): Promise<void> {
  const model = loadModel();
  const out = output === "-" ? process.stdout : createWriteStream(output);
  let n = 0;
  for await (const record of readRecords(input)) {
    record.software = identifyRecord(model, record);
    out.write(`${JSON.stringify(record)}\n`);
    n += 1;
  }
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(resolve));
  process.stderr.write(`smtpsurvey: ${n} record(s) identified\n`);
}
