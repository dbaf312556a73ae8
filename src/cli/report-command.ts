/**
 * `smtpsurvey report RUNDIR`: the analysis and the report again, from the run's records, with
 * the rules as they are now (the records are identified again unless --no-reidentify).
 */

import { existsSync } from "node:fs";
import type { Command } from "commander";
import { analyseRun } from "../analysis/analyse-run.js";
import { loadModel } from "../fingerprint/model.js";
import { buildReport } from "../report/build-report.js";
import { readRunJson, runPaths, startStage } from "../store/run-dir.js";
import { adoptRecords } from "../survey/run-lifecycle.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { quietOption } from "./shared-options.js";
import { printRunSummary } from "./survey-closing-lines.js";

export function register(program: Command): void {
  const command = program
    .command("report")
    .description("rebuild a run's analysis and report from its records (after a rules update, say)")
    .argument(
      "<rundir>",
      "a run directory written by `smtpsurvey survey`, or one holding only a records.jsonl (`smtpsurvey import`)",
    )
    .option("--no-reidentify", "keep the identification made at grab time")
    .addOption(quietOption())
    .action(async (dir: string, flags: { reidentify: boolean; quiet?: boolean }) => {
      try {
        const paths = runPaths(dir);
        if (!existsSync(paths.runJson) && existsSync(paths.records) && !flags.quiet)
          process.stderr.write(
            `smtpsurvey: ${dir} has records but no run.json: reporting on them as imported records\n`,
          );
        const run =
          existsSync(paths.runJson) || !existsSync(paths.records)
            ? readRunJson(dir)
            : await adoptRecords(dir);
        if (!existsSync(paths.records))
          usageError(`${dir} has no records.jsonl: run the survey (--resume) first`);
        if (run.stages.grab?.status !== "done")
          usageError(`${dir}: the grab did not finish; finish it with \`survey … --resume\` first`);
        const model = flags.reidentify ? loadModel() : null;
        const finishAnalysis = startStage(dir, run, "analyse");
        const analysis = await analyseRun(paths, run, model);
        finishAnalysis({
          clusters: analysis.clusters.length,
          records: analysis.tallies.records,
          reidentified: model ? 1 : 0,
        });
        const finishReport = startStage(dir, run, "report");
        const built = await buildReport(paths, run, analysis, model);
        finishReport({ tables: built.tables, graphs: built.graphs, database_rows: built.databaseRows });
        if (!flags.quiet) printRunSummary(paths, run, analysis);
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    ["smtpsurvey report runs/companies", "the analysis and report again, with today's rules"],
    ["smtpsurvey report runs/companies --no-reidentify -q", "keep the grab's identification, print nothing"],
  ]);
}
