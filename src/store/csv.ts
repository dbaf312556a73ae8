/**
 * Report tables as CSV (RFC 4180): one header line of the column keys, then one line per row,
 * every line ended by CRLF. A field is quoted when it holds a comma, a double quote, CR or LF, and
 * a double quote inside is doubled. Numbers are written as JavaScript prints them (no thousands
 * separators, no rounding, no percent); null, a missing cell and a non-finite number are empty.
 *
 * Formula injection: a spreadsheet opening the file runs a cell that starts with `=`, `+`, `-` or
 * `@` as a formula (TAB and CR lead some of them to do the same), and our cells hold text from
 * servers on the Internet (banners, certificate subjects). Such a text cell gets a leading single
 * quote, which spreadsheets show as text and other readers see as one extra character (OWASP's
 * advice). Only text is touched: a number cell, −3 included, is written as the number it is.
 *
 * No byte-order mark: the files are UTF-8, and a BOM would break `csvkit`, `sqlite3 .import` and
 * most other readers for the sake of one spreadsheet's default.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Cell, ReportColumn, ReportTable } from "../core/table.js";

const NEEDS_QUOTES = /[",\r\n]/;
/** the first characters that make a spreadsheet treat a cell as a formula */
const FORMULA_START = /^[=+\-@\t\r]/;
/** a table id becomes a file name: nothing that could climb out of the directory */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const EOL = "\r\n";

/** One field, quoted and guarded as the module comment says. */
export function csvField(value: Cell | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line, CRLF included. */
export function csvLine(values: ReadonlyArray<Cell | undefined>): string {
  return values.map(csvField).join(",") + EOL;
}

function rowLine(columns: readonly ReportColumn[], row: Readonly<Record<string, Cell>>): string {
  return csvLine(columns.map((c) => row[c.key]));
}

function headerLine(columns: readonly ReportColumn[]): string {
  return csvLine(columns.map((c) => c.key));
}

export function tableToCsv(table: ReportTable): string {
  let out = headerLine(table.columns);
  for (const row of table.rows) out += rowLine(table.columns, row);
  return out;
}

/**
 * Streams rows to a CSV file without holding them: the file is written as `path.tmp` and renamed
 * to `path` by close(), so a reader never sees half a file; abort() removes the temp file.
 */
export class CsvWriter {
  private readonly tempPath: string;
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  private finished = false;

  constructor(
    readonly path: string,
    private readonly columns: readonly ReportColumn[],
  ) {
    this.tempPath = `${path}.tmp`;
    this.stream = createWriteStream(this.tempPath, { encoding: "utf8" });
    // remembered and thrown from the next write or close, rather than crashing the process
    this.stream.on("error", (error) => {
      this.failure = error;
    });
    this.stream.write(headerLine(columns));
  }

  /** Writes one row; waits when the stream's buffer is full, so memory stays bounded. */
  async write(row: Readonly<Record<string, Cell>>): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.finished) throw new Error(`CsvWriter for ${this.path} is already closed`);
    if (!this.stream.write(rowLine(this.columns, row))) await once(this.stream, "drain");
  }

  /** Flushes, syncs and renames the file into place. */
  async close(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await new Promise<void>((resolve, reject) => {
      // after a stream error, end() reports only "destroyed": the first error says what went wrong
      this.stream.end((error?: Error | null) => (error ? reject(this.failure ?? error) : resolve()));
    });
    if (this.failure) throw this.failure;
    await syncFile(this.tempPath);
    await rename(this.tempPath, this.path);
  }

  /** Gives up: closes the stream and removes the temp file; `path` is left as it was. */
  async abort(): Promise<void> {
    this.finished = true;
    // the stream opens its file asynchronously: wait until it is closed, or an open still under
    // way would create the temp file again after it was removed
    if (!this.stream.closed) {
      const closed = once(this.stream, "close");
      this.stream.destroy();
      await closed.catch(() => {}); // an error on the way out changes nothing: the file goes
    }
    await rm(this.tempPath, { force: true });
  }
}

/**
 * Writes each table to `dir/<id>.csv` (creating `dir`), each one atomically: to a temp file,
 * synced, then renamed over the old one. Returns the paths written, in the tables' order.
 */
export async function writeTables(dir: string, tables: readonly ReportTable[]): Promise<string[]> {
  const seen = new Set<string>();
  for (const table of tables) {
    // ids come from the analysis code, not from users: a bad one is a bug, not an InputError
    if (!SAFE_ID.test(table.id))
      throw new Error(`table id ${JSON.stringify(table.id)} is not a safe file name`);
    if (seen.has(table.id)) throw new Error(`two tables have the id ${table.id}`);
    seen.add(table.id);
  }
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const table of tables) {
    const path = join(dir, `${table.id}.csv`);
    await writeFileAtomically(path, tableToCsv(table));
    written.push(path);
  }
  return written;
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tempPath = `${path}.tmp`;
  try {
    const handle = await open(tempPath, "w");
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}

/** so that the rename never publishes a file whose data is not yet on disk */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
