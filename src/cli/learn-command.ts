/**
 * `smtpsurvey learn HOST[:PORT] --product NAME`: records the server's whole transcript (every
 * probe) as a labelled fixture in rules/examples/records/, then says which rules fired, which of
 * the product's own rules missed, and which other products' rules fired too: what would have to
 * change for the rules to know this server. `npm run train` then learns from the fixture.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { repoRoot } from "../core/paths.js";
import { recordFixturesDir } from "../fingerprint/examples.js";
import { extractFeatures } from "../fingerprint/features.js";
import { fires, loadModel, resolveProduct } from "../fingerprint/model.js";
import { loadProbes } from "../protocols/smtp/probes.js";
import { reportAndExit, seconds, usageError } from "./errors.js";
import { addressOf, parseHostPort, scanOne } from "./single-host.js";

interface LearnFlags {
  product?: string;
  version?: string;
  scope?: string;
  timeout: string;
  connectTimeout: string;
  ehlo?: string;
  name?: string;
}

export function register(program: Command): void {
  program
    .command("learn")
    .description(
      "record a server's transcript as a labelled fixture and show which rules would need to change",
    )
    .argument("<target>", "HOST[:PORT], port 25 by default")
    .option("--product <name>", "the product this server truly is (required)")
    .option("--version <v>", "its version, when known")
    .option("--scope <cidrs>", "the CIDRs this command may connect to (required)")
    .option("--name <file>", "the fixture's file name (default: <product>-<n>.json)")
    .option("-t, --timeout <seconds>", "reply timeout", "10")
    .option("-c, --connect-timeout <seconds>", "TCP connect timeout", "10")
    .option("--ehlo <name>", "the name announced in EHLO/HELO")
    .action(async (target: string, flags: LearnFlags) => {
      try {
        await learn(target, flags);
      } catch (error) {
        reportAndExit(error);
      }
    });
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

async function learn(target: string, flags: LearnFlags): Promise<void> {
  if (!flags.product) usageError("--product is required: the product this server truly is");
  const { host, port } = parseHostPort(target, 25);
  const ip = await addressOf(host);
  const record = await scanOne({
    scope: flags.scope,
    ip,
    port,
    name: ip === host ? null : host,
    replyTimeoutMs: seconds("-t", flags.timeout),
    connectTimeoutMs: seconds("-c", flags.connectTimeout),
    ehloName: flags.ehlo,
    // every probe: a fixture should hold every answer a rule might read
    probes: [...loadProbes().keys()],
  });
  if (!["ok", "rejected"].includes(record.status)) {
    process.stdout.write(`no service answers on ${ip}:${port} (${record.status}); nothing recorded\n`);
    process.exitCode = 1;
    return;
  }
  const dir = recordFixturesDir();
  mkdirSync(dir, { recursive: true });
  let file = flags.name ? join(dir, flags.name) : "";
  for (let n = 1; !file || existsSync(file); n += 1) file = join(dir, `${slug(flags.product)}-${n}.json`);
  // the source a held-out fold leaves out whole: one server (the lab's are named as the lab's golden records)
  const source = ip.startsWith("127.77.") ? `lab: ${ip}` : `learned: ${ip}`;
  const fixture = { truth: { product: flags.product, version: flags.version ?? null }, source, record };
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  process.stdout.write(`recorded ${relative(repoRoot(), file)}\n`);
  process.stdout.write(report(flags.product, record));
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
