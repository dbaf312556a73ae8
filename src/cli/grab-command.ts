/** `smtpsurvey grab`: targets × ports through the engine into JSON Lines. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { openRecordOutput } from "../store/record-output.js";
import { runGrab } from "../survey/grab-stage.js";
import { type FailureFile, openFailureFile } from "../targets/mx-failures.js";
import { planTargets } from "../targets/plan.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { addScanOptions, type ScanFlags, scanSettings } from "./grab-options.js";
import { grabProgress, stderrNotice } from "./progress.js";
import { mxFailuresOption, outputOption } from "./shared-options.js";
import { printStatusSummary } from "./status-counts.js";
import { addTargetOptions, type TargetFlags, targetOptionsFrom } from "./target-options.js";

interface GrabFlags extends TargetFlags, ScanFlags {
  output?: string;
  mxFailures?: string;
  identify?: boolean;
}

export function register(program: Command): void {
  const command = addScanOptions(
    addTargetOptions(
      program
        .command("grab")
        .description(
          "grab sessions (SMTP, IMAP, POP3, HTTP: greetings, capabilities, TLS certificates) into JSON Lines",
        )
        .argument("[targets...]", "IPv4/IPv6 addresses, CIDRs or host names"),
    ),
  )
    .addOption(outputOption("JSON Lines output, - for stdout (required)"))
    .addOption(mxFailuresOption())
    .option("--identify", "fill each record's `software` (probes chosen adaptively, a few per host)")
    .action(async (targets: string[], flags: GrabFlags) => {
      try {
        await grab(targets, flags);
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    ["smtpsurvey grab 192.0.2.0/24 -p 25 --scope 192.0.2.0/24 -o records.jsonl", "a /24's SMTP port"],
    [
      "smtpsurvey grab -i targets.txt -p 25,465,587 --scope 192.0.2.0/24 --ehlo survey.example.org -o -",
      "a targets file, three mail ports, the records on stdout",
    ],
    [
      "smtpsurvey grab 127.77.1.1 -p 25 --scope 127.77.0.0/16 --identify -c 10 -q -o lab.jsonl",
      "the lab's first server, identified, quietly",
    ],
    [
      "smtpsurvey grab -i targets.txt -p 25 --scope 192.0.2.0/24 -o records.jsonl --resume",
      "finish an interrupted grab",
    ],
  ]);
}

async function grab(targetArgs: string[], flags: GrabFlags): Promise<void> {
  const settings = await scanSettings(flags, Boolean(flags.identify));
  if (!flags.output) usageError("-o/--output is required (- for stdout)");
  if (flags.resume && flags.output === "-") usageError("--resume needs an output file, not stdout");
  let failures: FailureFile | undefined;
  const targetOptions = targetOptionsFrom(targetArgs, flags, settings.scope, (f) => failures?.write(f));
  const plan = await planTargets(targetOptions);
  const controller = new AbortController();

  // Every check has passed: only now is anything written.
  const output = openRecordOutput(flags.output, { resume: Boolean(flags.resume) });
  if (flags.domains) {
    const path =
      flags.mxFailures ?? (flags.output === "-" ? "mx-failures.jsonl" : `${flags.output}.mx-failures.jsonl`);
    failures = await openFailureFile(path);
  }
  const planned =
    plan.expected === null
      ? null
      : plan.expected * BigInt(settings.ports.length) - BigInt(output.resumedCount);
  if (output.resumedCount > 0 && !flags.quiet) {
    process.stderr.write(`smtpsurvey: resuming: ${output.resumedCount} records already in ${flags.output}\n`);
  }
  const resolvers = targetOptions.dns?.servers ? [...targetOptions.dns.servers] : undefined;
  const stats = await runGrab({
    targets: plan.stream(),
    ports: settings.ports,
    engine: settings.engine(controller.signal, resolvers),
    pool: { recipe: settings.recipe(resolvers), workers: settings.workers },
    controller,
    output,
    model: settings.model,
    progress: grabProgress(planned, Boolean(flags.quiet)),
    notice: stderrNotice,
  });
  output.close();
  await failures?.close();
  // what the targets were (sample space, exclusions, MX figures), kept beside the records
  if (flags.output !== "-")
    writeFileSync(`${flags.output}.targets.json`, `${JSON.stringify(plan.meta(), null, 1)}\n`);
  if (!flags.quiet) {
    process.stderr.write(`smtpsurvey: ${plan.exclusionSummary()}\n`);
    printStatusSummary(stats, controller.signal.aborted);
  }
  // An interrupted run is not a finished one: say so to scripts, as shells do for SIGINT.
  if (controller.signal.aborted) process.exitCode = 130;
}
