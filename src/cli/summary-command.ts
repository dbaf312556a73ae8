/** `smtpsurvey summary RECORDS.jsonl`: the terminal summary table of a grab. */
import type { Command } from "commander";
import { formatSummary } from "../report/endpoint-table.js";
import { readRecords } from "../store/read-records.js";
import type { ScanRecord } from "../store/schema.js";
import { reportAndExit } from "./errors.js";
import { addExamples } from "./examples.js";

export function register(program: Command): void {
  const command = program
    .command("summary")
    .description("print a summary table of a records file (endpoints, status counts, TLS)")
    .argument("<records>", "a JSON Lines file written by grab")
    .action(async (path: string) => {
      try {
        const records: ScanRecord[] = [];
        for await (const record of readRecords(path)) records.push(record);
        records.sort((a, b) => a.ip.localeCompare(b.ip, "en", { numeric: true }) || a.port - b.port);
        process.stdout.write(formatSummary(records));
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    ["smtpsurvey summary records.jsonl", "a grab's endpoints, status counts and TLS"],
    ["smtpsurvey summary runs/companies/records.jsonl", "a survey's records"],
  ]);
}
