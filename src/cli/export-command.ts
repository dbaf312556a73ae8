/** `smtpsurvey export --engine postgres://… RUN -o records.jsonl`: a distributed run's records. */
import type { Command } from "commander";
import pg from "pg";
import { exportRecords } from "../distributed/export-records.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { engineOption, outputOption, quietOption } from "./shared-options.js";

export function register(program: Command): void {
  const command = program
    .command("export")
    .description("a distributed run's records out of PostgreSQL, as JSON Lines (docs/records.md)")
    .argument("<run>", "the run (smtpsurvey status lists them)")
    .addOption(engineOption())
    .addOption(outputOption("the records file to write (required)"))
    .addOption(quietOption())
    .action(async (run: string, flags: { engine?: string; output?: string; quiet?: boolean }) => {
      try {
        if (!flags.engine) usageError("--engine postgres://… is required");
        if (!flags.output) usageError("-o/--output FILE is required");
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
  ]);
}
