/**
 * The survey: targets → grab (identify included) → analyse → report, each stage writing into the
 * run directory (docs/survey.md). run.json says how far each stage got, so a kill -9 and
 * `--resume` finish the run without losing or duplicating a record or redoing a finished stage.
 * Nothing here parses flags or prints: the caller (src/cli/survey-command.ts) hands in checked
 * options and says how lines and progress are shown.
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync } from "node:fs";
import { basename, resolve } from "node:path";
import { analyseRun, type RunAnalysis, runRecords } from "../analysis/analyse-run.js";
import { loadModel } from "../fingerprint/model.js";
import { reestimatePrior } from "../fingerprint/prior-em.js";
import { buildReport } from "../report/build-report.js";
import type { ScanStats } from "../scan/engine.js";
import { openRecordOutput } from "../store/record-output.js";
import { type RunJson, runPaths, stageDone, startStage, writeRunJson } from "../store/run-dir.js";
import { type FailureFile, openFailureFile } from "../targets/mx-failures.js";
import { planTargets, type TargetOptions } from "../targets/plan.js";
import { type Control, checkControls } from "./controls.js";
import { EarlyWarnings } from "./early-warnings.js";
import { type GrabProgress, runGrab } from "./grab-stage.js";
import { readAnalysis } from "./read-analysis.js";
import type { RemoteGrab } from "./remote-grab.js";
import { openRun } from "./run-lifecycle.js";
import type { ScanSettings } from "./scan-settings.js";
import { teeTargets } from "./tee-targets.js";

export interface SurveyOptions {
  /** the run directory */
  dir: string;
  resume: boolean;
  /** what a resumed run must agree with: everything that changes which records are made */
  parameters: Record<string, unknown>;
  settings: ScanSettings;
  /** the target sources; domains that give no address go to the run's mx-failures file */
  targets: Omit<TargetOptions, "onMxFailure">;
  /** stop when the first N connections on a port all time out (0: never) */
  preflight: number;
  /** warn when nothing has answered after N records (0: never) */
  warnAfter: number;
  controls: Control[];
  /** the grab stage run by another engine (survey --engine); absent: this machine's */
  remoteGrab?: RemoteGrab;
}

/** How the survey talks to whoever runs it (the CLI prints; a test collects). */
export interface SurveyIo {
  /** a note (suppressed by --quiet in the CLI) */
  say(line: string): void;
  /** a warning, always shown */
  warn(line: string): void;
  /** a line the interrupt handler writes as it is */
  notice(line: string): void;
  progress(planned: bigint | null): GrabProgress;
}

export type SurveyOutcome =
  | { kind: "done"; run: RunJson; analysis: RunAnalysis }
  /** an early warning stopped the grab: nothing after it ran */
  | { kind: "stopped-early"; reason: string }
  /** SIGINT/SIGTERM: the sessions in flight were finished, the run can be resumed */
  | { kind: "interrupted"; stats: ScanStats };

export async function runSurvey(options: SurveyOptions, io: SurveyIo): Promise<SurveyOutcome> {
  const { dir, settings } = options;
  const paths = runPaths(dir);
  const run = openRun(dir, options.parameters, options.resume);
  let failures: FailureFile | undefined;
  const plan = await planTargets({ ...options.targets, onMxFailure: (f) => failures?.write(f) });
  const resolvers = options.targets.dns?.servers ? [...options.targets.dns.servers] : undefined;

  // Every check has passed: only now is anything written.
  mkdirSync(dir, { recursive: true });
  writeRunJson(dir, run);

  if (!stageDone(run, "grab") && options.remoteGrab) {
    const finish = startStage(dir, run, "grab");
    if (options.targets.domains) failures = await openFailureFile(paths.mxFailures);
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      io.notice(`\nsmtpsurvey: ${signal}: stopping; the workers go on, --resume re-attaches\n`);
      controller.abort();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const targetsFile = teeTargets(plan, `${paths.targets}.tmp`);
    try {
      const outcome = await options.remoteGrab({
        runKey: runKeyOf(dir, options.parameters),
        targets: targetsFile.parts,
        space: plan.spaceDescriptor(),
        settings,
        resolvers,
        targetsMeta: () => plan.meta(),
        recordsPath: paths.records,
        signal: controller.signal,
        say: io.say,
      });
      await failures?.close();
      if (outcome.kind === "interrupted") return { kind: "interrupted", stats: outcome.stats };
      await targetsFile.close();
      renameSync(`${paths.targets}.tmp`, paths.targets);
      run.targets = plan.meta();
      const byStatus = Object.fromEntries(
        Object.entries(outcome.stats.byStatus).map(([k, v]) => [k, v ?? 0]),
      );
      finish({ endpoints: outcome.stats.jobs, this_session: outcome.stats.jobs, ...byStatus });
    } finally {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    }
  } else if (!stageDone(run, "grab")) {
    const controlAnswered = await checkControls(options.controls, settings, resolvers, io.say);
    const finish = startStage(dir, run, "grab");
    if (options.targets.domains) failures = await openFailureFile(paths.mxFailures);
    const controller = new AbortController();
    let stopReason: string | null = null;
    const early = new EarlyWarnings({
      preflight: options.preflight,
      zeroHitsAfter: options.warnAfter,
      controlAnswered,
      warn: io.warn,
      stop: (reason) => {
        stopReason = reason;
        controller.abort();
      },
    });
    const output = openRecordOutput(paths.records, { resume: true });
    if (output.resumedCount > 0)
      io.say(`resuming: ${output.resumedCount} records already in ${paths.records}`);
    const targetsFile = teeTargets(plan, `${paths.targets}.tmp`);
    const planned =
      plan.expected === null
        ? null
        : plan.expected * BigInt(settings.ports.length) - BigInt(output.resumedCount);
    const stats = await runGrab({
      targets: targetsFile.stream,
      ports: settings.ports,
      engine: settings.engine(controller.signal, resolvers),
      pool: { recipe: settings.recipe(resolvers), workers: settings.workers },
      controller,
      output,
      model: settings.model,
      progress: io.progress(planned),
      notice: io.notice,
      onRecord: (record) => early.observe(record),
    });
    output.close();
    await failures?.close();
    if (stopReason !== null) return { kind: "stopped-early", reason: stopReason };
    if (controller.signal.aborted) return { kind: "interrupted", stats };
    await targetsFile.close();
    renameSync(`${paths.targets}.tmp`, paths.targets);
    run.targets = plan.meta();
    io.say(plan.exclusionSummary());
    const byStatus = Object.fromEntries(Object.entries(stats.byStatus).map(([k, v]) => [k, v ?? 0]));
    finish({ endpoints: output.resumedCount + stats.jobs, this_session: stats.jobs, ...byStatus });
  } else io.say("grab: done before, not redone");

  const analysis = await analyseStage(dir, run, io);
  await reportStage(dir, run, analysis);
  return { kind: "done", run, analysis };
}

async function analyseStage(dir: string, run: RunJson, io: SurveyIo): Promise<RunAnalysis> {
  const paths = runPaths(dir);
  if (stageDone(run, "analyse")) {
    io.say("analyse: done before, not redone");
    return readAnalysis(paths);
  }
  const finish = startStage(dir, run, "analyse");
  // identified again under the prior re-estimated from this run's records (prior-em.ts)
  const analysis = await analyseRun(paths, run, loadModel());
  finish({ clusters: analysis.clusters.length, records: analysis.tallies.records });
  return analysis;
}

async function reportStage(dir: string, run: RunJson, analysis: RunAnalysis): Promise<void> {
  if (stageDone(run, "report")) return;
  const paths = runPaths(dir);
  const finish = startStage(dir, run, "report");
  const model = loadModel();
  // the prior re-estimated from this run, as the analysis used it (again after a resume)
  if (model.runPriors.size === 0) await reestimatePrior(model, runRecords(paths));
  const built = await buildReport(paths, run, analysis, model);
  finish({ tables: built.tables, graphs: built.graphs, database_rows: built.databaseRows });
}

/** A run's name in a shared database: the run directory's name and a hash of its parameters. */
function runKeyOf(dir: string, parameters: Record<string, unknown>): string {
  const name = basename(resolve(dir))
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .slice(0, 40);
  const hash = createHash("sha256").update(JSON.stringify(parameters)).digest("hex").slice(0, 12);
  return `${name}-${hash}`;
}
