/**
 * `smtpsurvey learn HOST[:PORT] --product NAME`: records the server's whole transcript (every
 * probe) as a labelled fixture in rules/examples/records/, then says which rules fired, which of
 * the product's own rules missed, and which other products' rules fired too: what would have to
 * change for the rules to know this server. `npm run train` then learns from the fixture.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { repoRoot } from "../core/paths.js";
import { recordFixturesDir } from "../fingerprint/examples.js";
import { extractFeatures } from "../fingerprint/features.js";
import { fires, loadModel, resolveProduct } from "../fingerprint/model.js";
import { loadProbes } from "../protocols/smtp/probe-catalogue.js";
import { addDeprecatedSpelling, OLD_CONNECT_TIMEOUT } from "./deprecated.js";
import { ehloName } from "./ehlo-name.js";
import { reportAndExit, seconds, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import {
  connectTimeoutOption,
  ehloOption,
  outputOption,
  replyTimeoutOption,
  scopeOption,
} from "./shared-options.js";
import { addressOf, parseHostPort, scanOne } from "./single-host.js";

interface LearnFlags {
  product?: string;
  productVersion?: string;
  scope?: string;
  timeout: string;
  connectTimeout: string;
  ehlo?: string;
  output?: string;
}

export function register(program: Command): void {
  const command = program
    .command("learn")
    .description(
      "record a server's transcript as a labelled fixture and show which rules would need to change",
    )
    .argument("<target>", "HOST[:PORT], port 25 by default")
    .option("--product <name>", "the product this server truly is (required)")
    .option("--product-version <v>", "its version, when known")
    .addOption(scopeOption("the CIDRs this command may connect to (required)"))
    .addOption(outputOption("the fixture's path (default: rules/examples/records/<product>-<n>.json)"))
    .addOption(replyTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(ehloOption())
    .action(async (target: string, flags: LearnFlags) => {
      try {
        await learn(target, flags);
      } catch (error) {
        reportAndExit(error);
      }
    });
  addDeprecatedSpelling(command, OLD_CONNECT_TIMEOUT);
  addDeprecatedSpelling(command, {
    flags: "--name <file>",
    replacement: "output",
    spelling: "-o/--output",
    note: "--name FILE is -o rules/examples/records/FILE",
    translate: (file) => join(recordFixturesDir(), file),
  });
  // learn's --version was swallowed by the program's --version (it printed the tool's and exited)
  addDeprecatedSpelling(command, {
    flags: "--version <v>",
    replacement: "productVersion",
    spelling: "--product-version",
    note: "--version is smtpsurvey's own version",
  });
  addExamples(command, [
    [
      "smtpsurvey learn 127.77.1.1:25 --product postfix --product-version 3.7.11 --scope 127.77.0.0/16",
      "a lab server as a labelled fixture in rules/examples/records/",
    ],
    [
      "smtpsurvey learn mx.example.org --product exim --scope 198.51.100.7/32 -o /tmp/exim.json",
      "a fixture somewhere else, to look at first",
    ],
  ]);
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

async function learn(target: string, flags: LearnFlags): Promise<void> {
  if (!flags.product) usageError("--product is required: the product this server truly is");
  const { host, port } = parseHostPort(target, 25);
  if (flags.output !== undefined && existsSync(flags.output))
    usageError(`${flags.output} exists: choose another -o/--output, or leave it out for a new name`);
  const ip = await addressOf(host);
  const record = await scanOne({
    scope: flags.scope,
    ip,
    port,
    name: ip === host ? null : host,
    replyTimeoutMs: seconds("-t/--timeout", flags.timeout),
    connectTimeoutMs: seconds("--connect-timeout", flags.connectTimeout),
    ehloName: await ehloName(flags.ehlo),
    // every probe: a fixture should hold every answer a rule might read
    probes: [...loadProbes().keys()],
  });
  if (!["ok", "rejected"].includes(record.status)) {
    process.stdout.write(`no service answers on ${ip}:${port} (${record.status}); nothing recorded\n`);
    process.exitCode = 1;
    return;
  }
  const file = flags.output ?? freeFixturePath(flags.product);
  mkdirSync(dirname(file), { recursive: true });
  // the source a held-out fold leaves out whole: one server (the lab's are named as the lab's golden records)
  const source = ip.startsWith("127.77.") ? `lab: ${ip}` : `learned: ${ip}`;
  const fixture = {
    truth: { product: flags.product, version: flags.productVersion ?? null },
    source,
    record,
  };
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  const inCheckout = relative(repoRoot(), resolve(file));
  process.stdout.write(`recorded ${inCheckout.startsWith("..") ? resolve(file) : inCheckout}\n`);
  process.stdout.write(report(flags.product, record));
}

/** rules/examples/records/<product>-<n>.json for the first n not taken. */
function freeFixturePath(product: string): string {
  const dir = recordFixturesDir();
  for (let n = 1; ; n += 1) {
    const file = join(dir, `${slug(product)}-${n}.json`);
    if (!existsSync(file)) return file;
  }
}

function report(product: string, record: Parameters<typeof extractFeatures>[0]): string {
  const model = loadModel();
  const features = extractFeatures(record);
  const lines: string[] = [];
  const truth = resolveProduct(model.products, record.protocol, product);
  const own = model.product(truth);
  if (!own)
    lines.push(`no rule file names ${JSON.stringify(product)}: write rules/<protocol>/${slug(product)}.yaml`);
  for (const rule of own?.rules ?? []) {
    const fired = fires(rule, features);
    const value = features.get(rule.feature);
    if (fired) lines.push(`  fired   ${rule.key}`);
    else if (fired === null) lines.push(`  unseen  ${rule.key} (no ${rule.feature} in this record)`);
    else
      lines.push(
        `  MISSED  ${rule.key}: ${rule.feature} = ${JSON.stringify(value)} — change the pattern, or it marks another version`,
      );
  }
  for (const other of model.candidates(record.protocol)) {
    if (other.product === truth) continue;
    for (const rule of other.rules)
      if (fires(rule, features))
        lines.push(`  ALSO    ${rule.key} fires here: narrow it if ${other.product} never says this`);
  }
  const answer = model.identify(record.protocol, features);
  lines.push(
    `today's answer: ${answer.product} (${(answer.confidence * 100).toFixed(1)}%)${answer.product === truth ? "" : ` — wrong, the truth is ${product}`}`,
  );
  return `${lines.join("\n")}\n`;
}
