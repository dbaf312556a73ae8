/**
 * `smtpsurvey import --format zgrab2|masscan|sftcd FILE… -o records.jsonl`: another tool's
 * records as smtpsurvey records (docs/interop.md), ready for `identify -i`, `report DIR` and the
 * analysis.
 */
import { type Command, Option } from "commander";
import { importRecords } from "../interop/import-records.js";
import { IMPORT_FORMATS, type ImportFormat } from "../interop/imported-record.js";
import { reportAndExit, usageError } from "./errors.js";
import { addExamples } from "./examples.js";
import { outputOption, quietOption } from "./shared-options.js";

interface ImportFlags {
  format?: ImportFormat;
  output?: string;
  scanDate?: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command("import")
    .description("read zgrab2, masscan or records.fresh (key-reuse survey) files as smtpsurvey records")
    .argument("<files...>", "the foreign files, read in order")
    .addOption(new Option("--format <format>", "what the files are").choices([...IMPORT_FORMATS]))
    .addOption(
      outputOption("the records file to write (required); DIR/records.jsonl makes DIR a run for `report`"),
    )
    .option("--scan-date <time>", "sftcd: the time the grab ran (records.fresh keeps none), ISO 8601")
    .addOption(quietOption())
    .action(async (files: string[], flags: ImportFlags) => {
      try {
        if (!flags.format) usageError(`--format is required: one of ${IMPORT_FORMATS.join(", ")}`);
        if (!flags.output) usageError("-o/--output FILE is required");
        let scanDate: string | null = null;
        if (flags.scanDate !== undefined) {
          const ms = Date.parse(flags.scanDate);
          if (!Number.isFinite(ms))
            usageError(`--scan-date ${JSON.stringify(flags.scanDate)} is not an ISO 8601 time`);
          scanDate = new Date(ms).toISOString();
        }
        const stats = await importRecords({ format: flags.format, files, output: flags.output, scanDate });
        if (!flags.quiet) {
          const statuses = Object.entries(stats.byStatus)
            .sort((a, b) => b[1] - a[1])
            .map(([status, n]) => `${n} ${status}`)
            .join(", ");
          process.stderr.write(
            `smtpsurvey: ${stats.records} records from ${stats.lines} lines of ${files.length} ${flags.format} file(s) written to ${flags.output}${statuses ? ` (${statuses})` : ""}\n`,
          );
        }
      } catch (error) {
        reportAndExit(error);
      }
    });
  addExamples(command, [
    [
      "smtpsurvey import --format zgrab2 smtp.json ssh.json -o old-scan/records.jsonl",
      "zgrab2 output, then `smtpsurvey report old-scan`",
    ],
    ["smtpsurvey import --format masscan banners.json -o masscan.jsonl", "masscan -oJ or -oL with --banners"],
    [
      "smtpsurvey import --format sftcd records.fresh --scan-date 2024-05-01 -o ie-2024/records.jsonl",
      "a key-reuse survey run",
    ],
  ]);
}
