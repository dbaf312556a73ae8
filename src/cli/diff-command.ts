/** `smtpsurvey diff RUN_A RUN_B`: what changed between two runs (run directories or records files). */
import { existsSync, statSync } from "node:fs";
import type { Command } from "commander";
import { diffRuns, diffText } from "../analysis/diff.js";
import { readRecords } from "../store/read-records.js";
import { runPaths } from "../store/run-dir.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";

function recordsOf(path: string): string {
  if (!existsSync(path)) usageError(`no such run or records file: ${path}`);
  if (statSync(path).isDirectory()) {
    const records = runPaths(path).records;
    if (!existsSync(records)) usageError(`${path} has no records.jsonl`);
    return records;
  }
  return path;
}

export function register(program: Command): void {
  const command = program
    .command("diff")
    .description("what changed between two runs: new and gone endpoints, statuses, software, versions, keys")
    .argument("<a>", "the earlier run directory (or records .jsonl)")
    .argument("<b>", "the later run directory (or records .jsonl)")
    .option("--json", "the whole difference as JSON")
    .option("--examples <n>", "examples listed per kind of change", "5")
    .action(async (a: string, b: string, flags: { json?: boolean; examples: string }) => {
      try {
        const diff = await diffRuns(readRecords(recordsOf(a)), readRecords(recordsOf(b)));
        process.stdout.write(
          flags.json
            ? `${JSON.stringify(diff, null, 1)}\n`
            : `${diffText(diff, Number(flags.examples) || 5)}\n`,
        );
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    ["smtpsurvey diff runs/2025 runs/2026", "what changed in a year"],
    ["smtpsurvey diff old.jsonl new.jsonl --json --examples 20", "two grabs, as JSON, 20 examples a change"],
  ]);
}
