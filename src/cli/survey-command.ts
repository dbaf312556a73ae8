/**
 * `smtpsurvey survey`: its flags, checked and turned into the options of the pipeline
 * (src/survey/run-survey.ts: targets → grab → analyse → report into a run directory), and what
 * it prints.
 */
import type { Command } from "commander";
import { coordinator, DEFAULT_CHUNK_TARGETS } from "../distributed/coordinate.js";
import { runPaths } from "../store/run-dir.js";
import { parseControl } from "../survey/controls.js";
import { runSurvey } from "../survey/run-survey.js";
import { addDeprecatedSpelling } from "./deprecated.js";
import { ehloName } from "./ehlo-name.js";
import { positiveInteger, reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { addScanOptions, type ScanFlags, scanSettings } from "./grab-options.js";
import { grabProgress, stderrNotice } from "./progress.js";
import { engineOption, outputOption } from "./shared-options.js";
import { printStatusSummary } from "./status-counts.js";
import { printRunSummary } from "./survey-closing-lines.js";
import { addTargetOptions, type TargetFlags, targetOptionsFrom } from "./target-options.js";

interface SurveyFlags extends TargetFlags, ScanFlags {
  output?: string;
  /** the old spelling of --output, moved there before the action (deprecated.ts) */
  out?: string;
  identify: boolean;
  preflight: string;
  warnAfter: string;
  control: string[];
  engine?: string;
  lease: string;
  chunkTargets: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  const command = addScanOptions(
    addTargetOptions(
      program
        .command("survey")
        .description("a whole survey into a run directory: targets → grab → identify → analyse → report")
        .argument("[targets...]", "IPv4/IPv6 addresses, CIDRs or host names"),
    ),
  )
    .addOption(outputOption("the run directory (required)"))
    .option("--no-identify", "do not identify the software behind each record")
    .option("--preflight <n>", "stop when the first N connections on a port all time out (0: never)", "20")
    .option("--warn-after <n>", "warn when nothing has answered after N records (0: never)", "1000")
    .option(
      "--control <host:port>",
      "a server in --scope known to answer: tells a blocked port from silent targets (repeatable)",
      collect,
      [],
    )
    .addOption(engineOption())
    .option(
      "--lease <seconds>",
      "with --engine: how long a claimed chunk is a worker's before it is redone",
      "300",
    )
    .option("--chunk-targets <n>", "with --engine: targets per chunk", String(DEFAULT_CHUNK_TARGETS))
    .action(async (targets: string[], flags: SurveyFlags, self: Command) => {
      try {
        // with --engine, -w counts local workers and is 0 unless given
        const localWorkers = self.getOptionValueSource("workers") === "default" ? 0 : Number(flags.workers);
        await survey(targets, flags, localWorkers);
      } catch (error) {
        reportAndExit(error);
      }
    });
  addDeprecatedSpelling(command, { flags: "--out <dir>", replacement: "output", spelling: "-o/--output" });
  addExamples(command, [
    [
      "smtpsurvey survey --domains companies.csv -p 25,465,587 --scope 0.0.0.0/0 --ehlo survey.example.org -o runs/companies",
      "companies' MX hosts: targets, grab, identify, analyse, report",
    ],
    [
      "smtpsurvey survey --country LU --sample 10000 -p 25 --scope 0.0.0.0/0 -o runs/lu",
      "a sample of a country's addresses",
    ],
    [
      "smtpsurvey survey --country LU --sample 10000 -p 25 --scope 0.0.0.0/0 -o runs/lu --resume",
      "finish it after a crash or kill -9 (the same options)",
    ],
    [
      "smtpsurvey survey -i runs/lab.txt -p 25 --scope 127.77.0.0/16 --control 127.77.1.1:25 -q -o runs/lab",
      "the lab, with a control server, quietly",
    ],
  ]);
}

/** What a resumed run must agree with: everything that changes which records are made. */
function parametersOf(args: string[], flags: SurveyFlags): Record<string, unknown> {
  // how the grab is shared out (local workers, leases) does not change which records are made
  const { quiet: _q, resume: _r, output: _o, out: _old, workers: _w, lease: _l, ...rest } = flags;
  return { targets: args, ...rest };
}

async function survey(args: string[], flags: SurveyFlags, localWorkers: number): Promise<void> {
  if (!flags.output) usageError("-o/--output RUNDIR is required");
  const dir = flags.output;
  // the name announced is one of the run's parameters: a resume announces the same one
  flags.ehlo = (await ehloName(flags.ehlo)) ?? undefined;
  const settings = await scanSettings(flags, flags.identify);
  const preflight = positiveInteger("--preflight", flags.preflight, { allowZero: true });
  const warnAfter = positiveInteger("--warn-after", flags.warnAfter, { allowZero: true });
  const controls = flags.control.map((c) => parseControl(c, settings));
  const quiet = Boolean(flags.quiet);
  const outcome = await runSurvey(
    {
      dir,
      resume: Boolean(flags.resume),
      parameters: parametersOf(args, flags),
      settings,
      targets: targetOptionsFrom(args, flags, settings.scope),
      preflight,
      warnAfter,
      controls,
      ...(flags.engine
        ? {
            remoteGrab: coordinator({
              url: flags.engine,
              workers: localWorkers,
              leaseSeconds: positiveInteger("--lease", flags.lease),
              chunkTargets: positiveInteger("--chunk-targets", flags.chunkTargets),
              quiet,
            }),
          }
        : {}),
    },
    {
      say: (line) => quiet || process.stderr.write(`smtpsurvey: ${line}\n`),
      warn: (line) => process.stderr.write(`smtpsurvey: warning: ${line}\n`),
      notice: stderrNotice,
      progress: (planned) => grabProgress(planned, quiet),
    },
  );
  switch (outcome.kind) {
    case "stopped-early":
      process.stderr.write(`smtpsurvey: stopped early: ${outcome.reason}\n`);
      process.exitCode = 3;
      return;
    case "interrupted":
      if (!quiet) printStatusSummary(outcome.stats, true);
      process.exitCode = 130;
      return;
    case "done":
      if (!quiet) printRunSummary(runPaths(dir), outcome.run, outcome.analysis);
  }
}
