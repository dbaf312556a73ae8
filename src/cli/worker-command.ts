/**
 * `smtpsurvey worker --engine postgres://… --scope CIDRS`: grabs chunks of the runs planned in
 * that database (docs/distributed.md), on any machine, as many as wanted.
 */
import type { Command } from "commander";
import { Scope } from "../core/scope.js";
import { runWorker } from "../distributed/worker-main.js";
import { positiveInteger, reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { concurrencyOption, engineOption, quietOption, scopeOption } from "./shared-options.js";

interface WorkerFlags {
  engine?: string;
  scope?: string;
  concurrency?: string;
  maxRate?: string;
  exitWhenIdle?: boolean;
  run?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("worker")
    .description("grab chunks of the runs planned in a PostgreSQL database (many machines, one survey)")
    .addOption(engineOption())
    .addOption(
      scopeOption("the CIDRs this machine may connect to; a chunk holding anything else is left to others"),
    )
    // the shared -c (same default everywhere): this machine's cap, below the run's own -c if lower
    .addOption(concurrencyOption())
    .option(
      "--max-rate <n>",
      "new connections per second at most on this machine (default: its share of the run's --rate)",
    )
    .option("--exit-when-idle", "exit once no chunk is left to grab or leased")
    .option("--run <id>", "work on this run only")
    .option(
      "--lease <seconds>",
      "how long a claimed chunk is this worker's before it is redone elsewhere",
      "300",
    )
    .addOption(quietOption())
    .action(async (flags: WorkerFlags) => {
      try {
        if (!flags.engine) usageError("--engine postgres://… is required");
        if (!flags.scope) usageError("--scope is required: the CIDRs this machine may connect to");
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once("SIGTERM", onSignal);
        process.once("SIGINT", onSignal);
        const stats = await runWorker({
          url: flags.engine,
          ownScope: Scope.parse(flags.scope),
          ...(flags.concurrency
            ? { concurrency: positiveInteger("-c/--concurrency", flags.concurrency) }
            : {}),
          ...(flags.maxRate ? { maxRate: positiveInteger("--max-rate", flags.maxRate) } : {}),
          exitWhenIdle: Boolean(flags.exitWhenIdle),
          ...(flags.run ? { run: flags.run } : {}),
          signal: controller.signal,
          say: (line) => process.stderr.write(`${line}\n`),
        });
        if (!flags.quiet)
          process.stderr.write(`smtpsurvey worker: ${stats.chunks} chunks, ${stats.records} records\n`);
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    [
      "smtpsurvey worker --engine postgres://survey@db.example.org/survey --scope 0.0.0.0/0 -c 2000",
      "a worker that may touch the whole public IPv4 space",
    ],
    [
      "smtpsurvey worker --engine postgres://survey@127.0.0.1:5432/survey --scope 127.77.0.0/16 --exit-when-idle",
      "the lab, until the run is done",
    ],
  ]);
}
