/**
 * `smtpsurvey survey`: targets → grab (identify included) → analyse → report, each stage writing
 * into the run directory (docs/survey.md). run.json says how far each stage got, so a kill -9 and
 * `--resume` finish the run without losing or duplicating a record or redoing a finished stage.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from "node:fs";
import type { Command } from "commander";
import { analyseRun, type RunAnalysis, runRecords } from "../analysis/analyse-run.js";
import { isIpAddress } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import type { Target } from "../core/target.js";
import { loadModel } from "../fingerprint/model.js";
import { reestimatePrior } from "../fingerprint/prior-em.js";
import { protocolForPort, protocolNamed } from "../protocols/registry.js";
import { buildReport } from "../report/build-report.js";
import { runScan } from "../scan/engine.js";
import { openRecordOutput } from "../store/record-output.js";
import {
  type RunJson,
  readRunJson,
  runPaths,
  stageDone,
  startStage,
  writeRunJson,
} from "../store/run-dir.js";
import type { ScanRecord } from "../store/schema.js";
import { type FailureFile, openFailureFile } from "../targets/mx-failures.js";
import { planTargets, type TargetPlan } from "../targets/plan.js";
import { addDeprecatedSpelling } from "./deprecated.js";
import { EarlyWarnings } from "./early-warnings.js";
import { ehloName } from "./ehlo-name.js";
import { positiveInteger, reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { addScanOptions, type ScanFlags, type ScanSettings, scanSettings } from "./grab-options.js";
import { runGrab } from "./grab-run.js";
import { loadAnalysis } from "./run-analysis.js";
import { printRunSummary } from "./run-summary.js";
import { outputOption } from "./shared-options.js";
import { printStatusSummary } from "./summary.js";
import { addTargetOptions, type TargetFlags, targetOptionsFrom } from "./target-options.js";
import { targetLine } from "./targets-command.js";
import { TOOL_VERSION } from "./version.js";

interface SurveyFlags extends TargetFlags, ScanFlags {
  output?: string;
  /** the old spelling of --output, moved there before the action (deprecated.ts) */
  out?: string;
  identify: boolean;
  preflight: string;
  warnAfter: string;
  control: string[];
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
    .action(async (targets: string[], flags: SurveyFlags) => {
      try {
        await survey(targets, flags);
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
  const { quiet: _q, resume: _r, output: _o, out: _old, ...rest } = flags;
  return { targets: args, ...rest };
}

async function survey(args: string[], flags: SurveyFlags): Promise<void> {
  if (!flags.output) usageError("-o/--output RUNDIR is required");
  const dir = flags.output;
  const paths = runPaths(dir);
  // the name announced is one of the run's parameters: a resume announces the same one
  flags.ehlo = (await ehloName(flags.ehlo)) ?? undefined;
  const settings = await scanSettings(flags, flags.identify);
  const preflight = positiveInteger("--preflight", flags.preflight, { allowZero: true });
  const warnAfter = positiveInteger("--warn-after", flags.warnAfter, { allowZero: true });
  const controls = flags.control.map((c) => parseControl(c, settings));
  const parameters = parametersOf(args, flags);

  let run: RunJson;
  if (existsSync(paths.runJson)) {
    if (!flags.resume)
      usageError(`${dir} already holds a run: add --resume to finish it, or choose another -o/--output`);
    run = readRunJson(dir);
    if (JSON.stringify(run.parameters) !== JSON.stringify(parameters))
      usageError(
        `--resume: the targets and options differ from the run's (${paths.runJson}): give the same ones`,
      );
  } else {
    if (flags.resume) usageError(`--resume: ${dir} holds no run to resume`);
    run = newRun(parameters);
  }
  let failures: FailureFile | undefined;
  const targetOptions = targetOptionsFrom(args, flags, settings.scope, (f) => failures?.write(f));
  const plan = await planTargets(targetOptions);
  const resolvers = targetOptions.dns?.servers ? [...targetOptions.dns.servers] : undefined;

  // Every check has passed: only now is anything written.
  mkdirSync(dir, { recursive: true });
  writeRunJson(dir, run);
  const say = (line: string) => flags.quiet || process.stderr.write(`smtpsurvey: ${line}\n`);

  if (!stageDone(run, "grab")) {
    const controlAnswered = await checkControls(controls, settings, resolvers, say);
    const finish = startStage(dir, run, "grab");
    if (flags.domains) failures = await openFailureFile(paths.mxFailures);
    const controller = new AbortController();
    let stopReason: string | null = null;
    const early = new EarlyWarnings({
      preflight,
      zeroHitsAfter: warnAfter,
      controlAnswered,
      warn: (line) => process.stderr.write(`smtpsurvey: warning: ${line}\n`),
      stop: (reason) => {
        stopReason = reason;
        controller.abort();
      },
    });
    const output = openRecordOutput(paths.records, { resume: true });
    if (output.resumedCount > 0) say(`resuming: ${output.resumedCount} records already in ${paths.records}`);
    const targetsFile = teeTargets(plan, `${paths.targets}.tmp`);
    const planned =
      plan.expected === null
        ? null
        : plan.expected * BigInt(settings.ports.length) - BigInt(output.resumedCount);
    const stats = await runGrab({
      targets: targetsFile.stream,
      ports: settings.ports,
      engine: settings.engine(controller.signal, resolvers),
      controller,
      output,
      model: settings.model,
      planned: planned !== null && planned <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(planned) : null,
      quiet: Boolean(flags.quiet),
      onRecord: (record) => early.observe(record),
    });
    output.close();
    await failures?.close();
    if (stopReason !== null) {
      process.stderr.write(`smtpsurvey: stopped early: ${stopReason}\n`);
      process.exitCode = 3;
      return;
    }
    if (controller.signal.aborted) {
      if (!flags.quiet) printStatusSummary(stats, true);
      process.exitCode = 130;
      return;
    }
    await targetsFile.close();
    renameSync(`${paths.targets}.tmp`, paths.targets);
    run.targets = plan.meta();
    say(plan.exclusionSummary());
    const byStatus = Object.fromEntries(Object.entries(stats.byStatus).map(([k, v]) => [k, v ?? 0]));
    finish({ endpoints: output.resumedCount + stats.jobs, this_session: stats.jobs, ...byStatus });
  } else say("grab: done before, not redone");

  let analysis: RunAnalysis;
  if (!stageDone(run, "analyse")) {
    const finish = startStage(dir, run, "analyse");
    // identified again under the prior re-estimated from this run's records (prior-em.ts)
    analysis = await analyseRun(paths, run, loadModel());
    finish({ clusters: analysis.clusters.length, records: analysis.tallies.records });
  } else {
    say("analyse: done before, not redone");
    analysis = loadAnalysis(paths);
  }
  if (!stageDone(run, "report")) {
    const finish = startStage(dir, run, "report");
    const model = loadModel();
    // the prior re-estimated from this run, as the analysis used it (again after a resume)
    if (model.runPriors.size === 0) await reestimatePrior(model, runRecords(paths));
    const built = await buildReport(paths, run, analysis, model);
    finish({ tables: built.tables, graphs: built.graphs, database_rows: built.databaseRows });
  }
  if (!flags.quiet) printRunSummary(paths, run, analysis);
}

function newRun(parameters: Record<string, unknown>): RunJson {
  const model = loadModel();
  return {
    format: 1,
    tool: { name: "smtpsurvey", version: TOOL_VERSION },
    rules: {
      products: model.products.length,
      model_trained_at: model.data.trained_at,
      model_examples: model.data.examples,
    },
    created_at: new Date().toISOString(),
    parameters,
    targets: null,
    stages: {},
  };
}

interface Control {
  ip: string;
  port: number;
}

function parseControl(text: string, settings: ScanSettings): Control {
  const match = /^(?:\[(.+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const ip = match?.[1] ?? match?.[2] ?? "";
  const port = Number(match?.[3]);
  if (!match || !isIpAddress(ip) || port < 1 || port > 65535)
    throw new InputError(`--control takes ADDRESS:PORT (or [IPv6]:PORT), not ${JSON.stringify(text)}`);
  if (!settings.scope.check(ip).allowed) throw new InputError(`--control ${text} is outside --scope`);
  return { ip, port };
}

/** Grabs each control target once; the ports on which one answered. */
async function checkControls(
  controls: Control[],
  settings: ScanSettings,
  resolvers: string[] | undefined,
  say: (line: string) => void,
): Promise<Set<number>> {
  const answered = new Set<number>();
  if (controls.length === 0) return answered;
  const jobs = controls.map((c) => ({
    ip: c.ip,
    port: c.port,
    protocol: protocolForPort(c.port),
    name: null,
  }));
  const records: ScanRecord[] = [];
  await runScan(
    (async function* () {
      yield* jobs;
    })(),
    protocolNamed,
    controlEngine(settings, resolvers),
    (record) => {
      records.push(record);
    },
  );
  for (const record of records) {
    const answeredHere = record.status === "ok";
    if (answeredHere) answered.add(record.port);
    say(
      `control ${record.ip}:${record.port}: ${record.status}${answeredHere ? "" : " (it did not answer: check the network and --scope)"}`,
    );
  }
  return answered;
}

/** The main run's engine settings, without probes: a control target is only asked whether it answers. */
function controlEngine(settings: ScanSettings, resolvers: string[] | undefined) {
  const engine = settings.engine(new AbortController().signal, resolvers);
  return { ...engine, protocol: { ...engine.protocol, probes: [], probePlanner: undefined } };
}

/** The targets as the grab reads them, also written to a file as they pass (the run keeps its targets). */
function teeTargets(
  plan: TargetPlan,
  path: string,
): { stream: AsyncIterable<Target>; close(): Promise<void> } {
  const out = createWriteStream(path);
  async function* stream(): AsyncGenerator<Target> {
    for await (const target of plan.stream()) {
      if (!out.write(`${targetLine(target)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      yield target;
    }
  }
  return {
    stream: stream(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        out.once("error", reject);
        out.end(() => resolve());
      }),
  };
}
