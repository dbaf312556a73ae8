/** `smtpsurvey status --engine postgres://… [RUN] [--json]`: a distributed run's progress. */
import type { Command } from "commander";
import pg from "pg";
import { openQueue } from "../distributed/queue.js";
import { migrate } from "../distributed/runs.js";
import { SCHEMA } from "../distributed/schema.js";
import { runStatus, statusLine } from "../distributed/status.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { engineOption } from "./shared-options.js";

export function register(program: Command): void {
  const command = program
    .command("status")
    .description("a distributed run's progress: chunks done, leased and pending, records, live workers")
    .argument("[run]", "the run (default: every run in the database)")
    .addOption(engineOption())
    .option("--json", "as JSON")
    .action(async (run: string | undefined, flags: { engine?: string; json?: boolean }) => {
      try {
        if (!flags.engine) usageError("--engine postgres://… is required");
        const pool = new pg.Pool({ connectionString: flags.engine, max: 2 });
        pool.on("error", () => {});
        const boss = await openQueue(flags.engine);
        try {
          await migrate(pool);
          const runs = run
            ? [run]
            : (await pool.query(`SELECT run_id FROM ${SCHEMA}.runs ORDER BY created_at`)).rows.map(
                (r) => (r as { run_id: string }).run_id,
              );
          const statuses = [];
          for (const id of runs) statuses.push(await runStatus(pool, boss, id));
          if (flags.json) process.stdout.write(`${JSON.stringify(run ? statuses[0] : statuses, null, 1)}\n`);
          else
            for (const s of statuses) process.stdout.write(`${statusLine(s, 0).replace(/, ETA.*$/, "")}\n`);
        } finally {
          await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
          await pool.end();
        }
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    ["smtpsurvey status --engine postgres://survey@db.example.org/survey", "every run in the database"],
    [
      "smtpsurvey status --engine postgres://survey@db.example.org/survey lab-1a2b3c --json",
      "one run, as JSON",
    ],
  ]);
}
