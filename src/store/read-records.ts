/** Streams records back from a JSON Lines file, validating each against the schema. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { InputError } from "../core/errors.js";
import { type ScanRecord, ScanRecordSchema } from "./schema.js";

export async function* readRecords(path: string): AsyncGenerator<ScanRecord> {
  const stream = createReadStream(path, "utf8");
  // readline passes the stream's errors (ENOENT, EISDIR, EIO) to the loop. (Racing every line
  // against an error promise, as this once did, left a handler per line and held every line.)
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const line of lines) {
      n += 1;
      if (line.trim() === "") continue;
      yield parseRecordLine(line, `${path}:${n}`);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${path}: ${(error as Error).message}`);
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** One line of a records file as a record, or an InputError naming `where` (FILE:LINE). */
export function parseRecordLine(line: string, where: string): ScanRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new InputError(`${where}: not JSON`);
  }
  const result = ScanRecordSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(`${where}: not a record: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return result.data;
}
