/** `smtpsurvey targets`: every source into one JSON Lines stream of targets (docs/targets.md). */
import { createWriteStream, renameSync, rmSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { Scope } from "../core/scope.js";
import { type FailureFile, openFailureFile } from "../targets/mx-failures.js";
import { planTargets, type TargetPlan } from "../targets/plan.js";
import { targetLine } from "../targets/target-line.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { mxFailuresOption, outputOption, quietOption, scopeOption } from "./shared-options.js";
import { addTargetOptions, type TargetFlags, targetOptionsFrom } from "./target-options.js";

interface TargetsFlags extends TargetFlags {
  output?: string;
  scope?: string;
  mxFailures?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = addTargetOptions(
    program
      .command("targets")
      .description(
        "write targets (addresses, CIDRs, countries, ASNs, domains → MX, samples, shards) as JSON Lines",
      )
      .argument("[sources...]", "IPv4/IPv6 addresses, CIDRs or host names"),
  )
    .addOption(outputOption("JSON Lines output, - for stdout (required)"))
    .addOption(
      scopeOption(
        "the CIDRs the scan may connect to: special-purpose ranges inside it are kept, not dropped",
      ),
    )
    .addOption(mxFailuresOption())
    .addOption(quietOption())
    .action(async (sources: string[], flags: TargetsFlags) => {
      try {
        await targets(sources, flags);
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    ["smtpsurvey targets --country LU --sample 100000 --seed s1 -o targets.jsonl", "a sample of a country"],
    [
      "smtpsurvey targets --domains companies.csv --resolver 192.0.2.53 -o targets.jsonl",
      "mail domains to their MX hosts' addresses",
    ],
    [
      "smtpsurvey targets 192.0.2.0/24 --shard 0/4 --exclude optout.txt -q -o -",
      "a quarter of a /24, opt-outs left out",
    ],
  ]);
}

async function targets(sources: string[], flags: TargetsFlags): Promise<void> {
  if (!flags.output) usageError("-o/--output is required (- for stdout)");
  const toStdout = flags.output === "-";
  const failuresPath = flags.domains
    ? (flags.mxFailures ??
      (toStdout
        ? usageError("with -o - and --domains, name --mx-failures FILE")
        : `${flags.output}.mx-failures.jsonl`))
    : undefined;
  const scope = flags.scope ? Scope.parse(flags.scope) : undefined;
  let failures: FailureFile | undefined;
  const options = targetOptionsFrom(sources, flags, scope, (f) => failures?.write(f));
  const plan = await planTargets(options);

  // every check has passed: only now is anything written
  if (failuresPath) failures = await openFailureFile(failuresPath);
  const temporary = toStdout ? null : `${flags.output}.tmp`;
  const out: NodeJS.WritableStream = toStdout ? process.stdout : createWriteStream(temporary as string);
  let written = 0;
  try {
    for await (const target of plan.stream()) {
      if (!out.write(`${targetLine(target)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      written += 1;
    }
    if (!toStdout)
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
    await failures?.close();
  } catch (error) {
    if (temporary) rmSync(temporary, { force: true });
    throw error;
  }
  if (temporary) {
    renameSync(temporary, flags.output as string);
    writeFileSync(
      `${flags.output}.meta.json`,
      `${JSON.stringify({ targets: written, ...plan.meta() }, null, 1)}\n`,
    );
  }
  if (!flags.quiet) printSummary(plan, written, failuresPath);
}

function printSummary(plan: TargetPlan, written: number, failuresPath: string | undefined): void {
  const say = (line: string) => process.stderr.write(`smtpsurvey: ${line}\n`);
  const meta = plan.meta();
  say(`${written} targets; the address sources hold ${plan.spaceSize} addresses after exclusions`);
  if (plan.sample)
    say(
      `sampled ${plan.sample.count} of a space of ${plan.sample.spaceSize} addresses (seed ${JSON.stringify(meta.sample?.seed)})`,
    );
  if (meta.shard) say(`shard ${meta.shard.index}/${meta.shard.count}`);
  say(plan.exclusionSummary());
  if (meta.mx) {
    const reasons = Object.entries(meta.mx.failures)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`);
    say(
      `domains: ${meta.mx.domainsRead} read, ${meta.mx.domainsResolved} resolved, ${meta.mx.domainsFailed} gave no address` +
        (reasons.length ? ` (${reasons.join(", ")}; see ${failuresPath})` : ""),
    );
  }
}
