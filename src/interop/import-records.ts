/**
 * `smtpsurvey import`: foreign files → one records.jsonl (schema 1). Every record is checked
 * against the record schema before it is written; the output is written to a temporary file and
 * renamed only when every input line has been read, so bad input leaves nothing half-written.
 * Bad input is one InputError naming the file, the line and the field.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { InputError } from "../core/errors.js";
import { type ScanRecord, ScanRecordSchema } from "../protocols/record.js";
import { ForeignFieldError, parseJsonObject } from "./foreign-json.js";
import type { ImportFormat } from "./imported-record.js";
import { MasscanImporter } from "./masscan.js";
import { sftcdRecords } from "./sftcd.js";
import { zgrab2Records } from "./zgrab2.js";

export interface ImportOptions {
  format: ImportFormat;
  files: readonly string[];
  output: string;
  /** records.fresh keeps no time: the time to give its records (ISO 8601), or null */
  scanDate: string | null;
}

export interface ImportStats {
  lines: number;
  records: number;
  byStatus: Record<string, number>;
}

/** Reads one file's lines into records; `end` gives what a format holds back until the file ends. */
export interface LineImporter {
  line(text: string): ScanRecord[];
  end(): ScanRecord[];
}

function importerFor(options: ImportOptions): LineImporter {
  switch (options.format) {
    case "zgrab2":
      return jsonLines((value) => zgrab2Records(value));
    case "sftcd":
      return jsonLines((value) => sftcdRecords(value, { scanDate: options.scanDate }));
    case "masscan":
      return new MasscanImporter();
  }
}

/** One JSON object per line (blank lines skipped). */
function jsonLines(convert: (value: unknown) => ScanRecord[]): LineImporter {
  return {
    line(text) {
      if (text.trim() === "") return [];
      return convert(parseJsonObject(text));
    },
    end: () => [],
  };
}

export async function importRecords(options: ImportOptions): Promise<ImportStats> {
  if (options.files.length === 0) throw new InputError("import: name at least one input file");
  // the first directory this makes, removed again if the import fails
  const madeDir = mkdirSync(dirname(options.output), { recursive: true });
  const partial = `${options.output}.partial-${process.pid}`;
  const out = createWriteStream(partial, "utf8");
  const stats: ImportStats = { lines: 0, records: 0, byStatus: {} };
  const write = async (records: ScanRecord[], where: string) => {
    for (const record of records) {
      checked(record, where);
      stats.records += 1;
      stats.byStatus[record.status] = (stats.byStatus[record.status] ?? 0) + 1;
      if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, "drain");
    }
  };
  try {
    for (const file of options.files) {
      const importer = importerFor(options);
      let n = 0;
      const lines = createInterface({
        input: createReadStream(file, "utf8"),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      try {
        for await (const text of lines) {
          n += 1;
          stats.lines += 1;
          await write(
            atLine(file, n, () => importer.line(text)),
            `${file}:${n}`,
          );
        }
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw new InputError(`cannot read ${file}: ${(error as Error).message}`);
      }
      await write(
        atLine(file, n, () => importer.end()),
        `${file}`,
      );
    }
    out.end();
    await once(out, "finish");
    renameSync(partial, options.output);
    return stats;
  } catch (error) {
    out.destroy();
    rmSync(partial, { force: true });
    if (madeDir) rmSync(madeDir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs one conversion step, turning a field error into "FILE:LINE: field: message". */
function atLine(file: string, line: number, step: () => ScanRecord[]): ScanRecord[] {
  try {
    return step();
  } catch (error) {
    if (error instanceof ForeignFieldError) {
      const where = error.line !== undefined ? `${file}:${error.line}` : `${file}:${line}`;
      throw new InputError(`${where}: ${error.field}: ${error.message}`);
    }
    throw error;
  }
}

/** A record an importer made that the schema refuses is our bug, not the input's: say so. */
function checked(record: ScanRecord, where: string): void {
  const result = ScanRecordSchema.safeParse(record);
  if (result.success) return;
  const issue = result.error.issues[0];
  throw new Error(`import made an invalid record from ${where}: ${issue?.path.join(".")}: ${issue?.message}`);
}
