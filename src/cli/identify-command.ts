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
import { loadProbes } from "../protocols/smtp/probe-catalogue.js";
import { ReverseNames } from "../scan/reverse-dns.js";
import { readRecords } from "../store/read-records.js";
import { addDeprecatedSpelling, OLD_CONNECT_TIMEOUT } from "./deprecated.js";
import { ehloName } from "./ehlo-name.js";
import { reportAndExit, seconds, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { showIdentification } from "./identify-output.js";
import {
  connectTimeoutOption,
  ehloOption,
  inputFilesOption,
  outputOption,
  quietOption,
  replyTimeoutOption,
  resolverOption,
  scopeOption,
  verboseOption,
} from "./shared-options.js";
import { addressOf, parseHostPort, scanOne } from "./single-host.js";
import { resolverServers } from "./target-options.js";

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
  input: string[];
  output: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("identify")
    .description("name the software behind one server (product, version, calibrated confidence)")
    .argument("[target]", "HOST[:PORT], port 25 by default")
    .addOption(verboseOption("evidence and weights; twice: every command and reply; thrice: debugging"))
    .option("--json", "print the record (with `software`) as JSON")
    .option("--trigger <percent>", "list every candidate above this probability (at least three)", "1")
    .addOption(replyTimeoutOption())
    .addOption(connectTimeoutOption())
    .option("--no-dns", "do not look up the reverse name")
    .addOption(scopeOption())
    .addOption(
      resolverOption("DNS servers, IP or IP:PORT, comma list, for the reverse name (default: the machine's)"),
    )
    .addOption(ehloOption())
    .addOption(inputFilesOption("re-identify saved records (JSON Lines) offline instead (repeatable)"))
    .addOption(outputOption("with -i: where the records go (- for stdout)").default("-"))
    .addOption(quietOption())
    .action(async (target: string | undefined, flags: IdentifyFlags) => {
      try {
        if (flags.input.length > 0) await identifyFiles(flags.input, flags.output, Boolean(flags.quiet));
        else if (target) await identifyHost(target, flags);
        else usageError("identify needs HOST[:PORT] or -i records.jsonl");
      } catch (error) {
        reportAndExit(error);
      }
    });
  addDeprecatedSpelling(command, OLD_CONNECT_TIMEOUT);
  addExamples(command, [
    ["smtpsurvey identify mx.example.org --scope 198.51.100.7/32 -vv", "one server, every command and reply"],
    ["smtpsurvey identify 127.77.1.1:587 --scope 127.77.0.0/16 --json", "a lab server's record as JSON"],
    ["smtpsurvey identify -i records.jsonl -o identified.jsonl", "saved records again with today's rules"],
  ]);
}

async function identifyHost(target: string, flags: IdentifyFlags): Promise<void> {
  const trigger = Number(flags.trigger);
  if (!Number.isFinite(trigger) || trigger < 0 || trigger > 100)
    usageError(`--trigger takes a percentage, not ${JSON.stringify(flags.trigger)}`);
  const { host, port } = parseHostPort(target, 25);
  const replyTimeoutMs = seconds("-t/--timeout", flags.timeout);
  const connectTimeoutMs = seconds("--connect-timeout", flags.connectTimeout);
  const resolvers = resolverServers(flags.resolver);
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
    ehloName: await ehloName(flags.ehlo),
    probes: [],
    probePlanner: planner,
    resolvers,
  });
  const software = identifyRecord(model, record);
  if (!software) {
    process.stdout.write(
      `no ${record.protocol.toUpperCase()} service answers on ${ip}:${port} (${record.status}${record.error ? `: ${record.error}` : ""})\n`,
    );
    process.exitCode = 1;
    return;
  }
  record.software = software;
  // a server that drops us after its greeting still named itself: identify from what was read
  if (!["ok", "rejected"].includes(record.status) && !flags.quiet)
    process.stderr.write(
      `smtpsurvey: note: the session ended ${record.status}${record.error ? ` (${record.error})` : ""}; identified from what was read before\n`,
    );
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

async function identifyFiles(inputs: string[], output: string, quiet: boolean): Promise<void> {
  const model = loadModel();
  const out = output === "-" ? process.stdout : createWriteStream(output);
  let n = 0;
  for (const input of inputs)
    for await (const record of readRecords(input)) {
      record.software = identifyRecord(model, record);
      out.write(`${JSON.stringify(record)}\n`);
      n += 1;
    }
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(resolve));
  if (!quiet) process.stderr.write(`smtpsurvey: ${n} record(s) identified\n`);
}
