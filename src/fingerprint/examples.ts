/**
 * Labelled records for training and benchmarks: test/fixtures/identify/*.json (synthetic ones
 * written from documented behaviour, and transcripts `smtpsurvey learn` recorded), and the lab's
 * golden records with the truth the lab itself knows.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { emptySmtpRecord, type ScanRecord, ScanRecordSchema } from "../store/schema.js";
import { repoRoot } from "../util/paths.js";

export interface Example {
  /** the fixture file, relative to the checkout */
  name: string;
  product: string;
  version: string | null;
  source: "lab" | "synthetic" | "learned";
  record: ScanRecord;
  /** one server's records share a group (its address; a synthetic fixture is its own) */
  group: string;
}

/** A fixture file: the truth beside the record (docs/rules.md, "Fixtures that are not from the lab"). */
const FixtureSchema = z.object({
  truth: z.object({ product: z.string(), version: z.string().nullable().optional() }),
  synthetic: z.object({ source: z.string(), date: z.string().optional() }).passthrough().optional(),
  record: z.record(z.string(), z.unknown()),
});

/** Fields a hand-written record may leave out; filled so the schema accepts it. */
function completeRecord(record: Record<string, unknown>): unknown {
  const smtp = record.smtp as Record<string, unknown> | null | undefined;
  return {
    schema: 1,
    ip: "192.0.2.1",
    port: 25,
    protocol: "smtp",
    name: null,
    status: "ok",
    error: null,
    started_at: "1970-01-01T00:00:00.000Z",
    duration_ms: 0,
    tls: null,
    transcript: [],
    ...record,
    smtp: smtp ? { ...emptySmtpRecord(), ...smtp } : null,
  };
}

export function identifyFixturesDir(): string {
  return join(repoRoot(), "test", "fixtures", "identify");
}

export function loadFixtureExamples(dir = identifyFixturesDir()): Example[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files.sort().map((f) => {
    const path = join(dir, f);
    const parsed = FixtureSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success)
      throw new Error(
        `${path}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
      );
    const record = ScanRecordSchema.safeParse(completeRecord(parsed.data.record));
    if (!record.success)
      throw new Error(
        `${path}: record.${record.error.issues[0]?.path.join(".")}: ${record.error.issues[0]?.message}`,
      );
    return {
      name: `test/fixtures/identify/${f}`,
      product: parsed.data.truth.product,
      version: parsed.data.truth.version ?? null,
      source: parsed.data.synthetic ? "synthetic" : "learned",
      record: record.data,
      group: parsed.data.synthetic ? f : record.data.ip,
    };
  });
}

/** The lab's golden records, labelled by `truth` (the lab's server list, looked up by address). */
export function loadLabExamples(
  truth: (ip: string) => { product: string; version: string } | undefined,
  dir = join(repoRoot(), "test", "fixtures", "lab"),
): Example[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .flatMap((f) => {
      const record = ScanRecordSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8")));
      const label = truth(record.ip);
      if (!label || record.status !== "ok") return [];
      return [{ name: `test/fixtures/lab/${f}`, ...label, source: "lab" as const, record, group: record.ip }];
    });
}
