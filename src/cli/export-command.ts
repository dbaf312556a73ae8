/**
 * `smtpsurvey export`: records out, in another form.
 * - `--engine postgres://… RUN -o records.jsonl`: a distributed run's records (docs/distributed.md);
 * - `--format sftcd RUNDIR -o records.fresh`: a run's records as the key-reuse survey's
 *   records.fresh, with collisions.json beside it (docs/interop.md).
 */
import { existsSync, statSync } from "node:fs";
import { type Command, Option } from "commander";
import pg from "pg";
import { exportRecords } from "../distributed/export-records.js";
import { exportSftcd } from "../interop/sftcd-export.js";
import { runPaths } from "../store/run-dir.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { engineOption, outputOption, quietOption } from "./shared-options.js";

interface ExportFlags {
  engine?: string;
  /** absent: jsonl */
  format?: "jsonl" | "sftcd";
  output?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("export")
    .description("a run's records out: a distributed run's as JSON Lines, or any run's as records.fresh")
    .argument(
      "<run>",
      "with --engine: the run (smtpsurvey status lists them); with --format sftcd: a run directory or a records.jsonl",
    )
    .addOption(engineOption())
    .addOption(
      new Option(
        "--format <format>",
        "jsonl (the default): records as they are; sftcd: records.fresh + collisions.json",
      ).choices(["jsonl", "sftcd"]),
    )
    .addOption(outputOption("the file to write (required)"))
    .addOption(quietOption())
    .action(async (run: string, flags: ExportFlags) => {
      try {
        if (!flags.output) usageError("-o/--output FILE is required");
        if (flags.format === "sftcd") {
          if (flags.engine)
            usageError(
              "--format sftcd reads a run directory: export the distributed run's records.jsonl first",
            );
          const records = existsSync(run) && statSync(run).isDirectory() ? runPaths(run).records : run;
          if (!existsSync(records)) usageError(`${run}: no records.jsonl there`);
          const stats = await exportSftcd(records, flags.output);
          if (!flags.quiet)
            process.stderr.write(
              `smtpsurvey: ${stats.hosts} addresses (${stats.records} records) written to ${flags.output}; ${stats.collisions} colliding hosts to ${stats.collisionsPath}\n`,
            );
          return;
        }
        if (!flags.engine)
          usageError("--engine postgres://… is required (or --format sftcd for a run directory)");
        const pool = new pg.Pool({ connectionString: flags.engine, max: 2 });
        pool.on("error", () => {});
        try {
          const stats = await exportRecords(pool, run, flags.output);
          if (!flags.quiet)
            process.stderr.write(`smtpsurvey: ${stats.jobs} records written to ${flags.output}\n`);
        } finally {
          await pool.end();
        }
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    [
      "smtpsurvey export --engine postgres://survey@db.example.org/survey lab-1a2b3c -o lab.jsonl",
      "a run's records",
    ],
    [
      "smtpsurvey export --format sftcd runs/ie -o runs/ie-fresh/records.fresh",
      "records.fresh and collisions.json for the key-reuse survey's scripts",
    ],
  ]);
}
