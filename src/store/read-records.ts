/** Streams records back from a JSON Lines file, validating each against the schema. */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { InputError } from "../scan/cidr.js";
import { type ScanRecord, ScanRecordSchema } from "./schema.js";

export async function* readRecords(path: string): AsyncGenerator<ScanRecord> {
  const stream = createReadStream(path, "utf8");
  const failed = new Promise<never>((_, reject) =>
    stream.once("error", (error) => reject(new InputError(`cannot read ${path}: ${error.message}`))),
  );
  failed.catch(() => {});
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  const iterator = lines[Symbol.asyncIterator]();
  for (;;) {
    const next = await Promise.race([iterator.next(), failed]);
    if (next.done) return;
    n += 1;
    if (next.value.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(next.value);
    } catch {
      throw new InputError(`${path}:${n}: not JSON`);
    }
    const result = ScanRecordSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new InputError(`${path}:${n}: not a record: ${issue?.path.join(".")}: ${issue?.message}`);
    }
    yield result.data;
  }
}
