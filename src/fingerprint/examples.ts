/**
 * Labelled records for training and benchmarks, kept beside the rules and apart from the code
 * (docs/rules.md, "The labelled corpus"):
 *  - rules/examples/<protocol>/*.jsonl: labelled greetings (with EHLO, HELP and probes where the
 *    source has them), one JSON object a line, each naming its source;
 *  - rules/examples/records/*.json: whole records, written from documented behaviour
 *    (`synthetic`) or recorded from a real server by `smtpsurvey learn`;
 *  - the lab's golden records, with the truth the lab itself knows (bench/labelled.ts).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { repoRoot } from "../core/paths.js";
import { protocolNamed } from "../protocols/registry.js";
import { emptySmtpRecord, type ScanRecord, ScanRecordSchema } from "../store/schema.js";

export interface Example {
  /** the file (and line), relative to the checkout */
  name: string;
  product: string;
  version: string | null;
  os: string | null;
  /** how the record came to be */
  origin: "lab" | "corpus" | "synthetic" | "learned";
  /** where its facts come from ("doc: …", "lab: postfix"): the unit a held-out fold leaves out */
  source: string;
  record: ScanRecord;
  /** one server's records share a group (its address; a corpus line is its own) */
  group: string;
  /** the software a product without rules is built on (Proton Mail Bridge on go-smtp) */
  builtOn?: string[];
}

export function examplesDir(): string {
  return join(repoRoot(), "rules", "examples");
}

/** A whole-record fixture: the truth beside the record. */
const FixtureSchema = z.object({
  truth: z.object({ product: z.string(), version: z.string().nullable().optional() }),
  synthetic: z.object({ source: z.string(), date: z.string().optional() }).passthrough().optional(),
  source: z.string().optional(),
  record: z.record(z.string(), z.unknown()),
});

/** One line of rules/examples/<protocol>/*.jsonl. */
export const CorpusLineSchema = z.strictObject({
  /** a protocol of the registry whose description turns a labelled greeting into its part */
  protocol: z.string().refine((name) => Boolean(protocolNamed(name)?.description.examplePart), {
    message: "not a protocol with labelled greetings (smtp, smtps, ssh, imap, imaps, pop3, pop3s, …)",
  }),
  product: z.string().min(1),
  version: z.string().nullable(),
  os: z.string().optional(),
  source: z.string().regex(/^[a-z]+: \S/, 'a source is "kind: detail" (docs/rules.md)'),
  banner: z.string().min(1),
  ehlo: z.array(z.string()).optional(),
  help: z.array(z.string()).optional(),
  starttls: z.string().optional(),
  quit: z.string().optional(),
  note: z.string().optional(),
  /**
   * for a product no rule file describes: the products whose code answers for it (Proton Mail
   * Bridge greets with go-smtp's default); naming one of them is right about the software
   */
  built_on: z.array(z.string()).optional(),
});
export type CorpusLine = z.infer<typeof CorpusLineSchema>;

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

export { replyOf } from "../protocols/smtp/reply-text.js";

/** A corpus line as the record a grab would have made of the same dialogue. */
export function corpusRecord(line: CorpusLine): ScanRecord {
  const protocol = protocolNamed(line.protocol);
  const part = protocol?.description.examplePart;
  if (!protocol || !part) throw new Error(`${line.protocol}: no labelled greetings for this protocol`);
  const record: Record<string, unknown> = {
    protocol: line.protocol,
    port: protocol.defaultPorts[0] ?? 25,
    [protocol.description.part]: part(line),
  };
  return ScanRecordSchema.parse(completeRecord(record));
}

/** Every corpus line under rules/examples/<protocol>/; a bad line is an error naming file:line. */
export function loadCorpusExamples(dir = examplesDir()): Example[] {
  if (!existsSync(dir)) return [];
  const out: Example[] = [];
  for (const sub of readdirSync(dir).sort()) {
    if (sub === "records" || !existsSync(join(dir, sub)) || sub.includes(".")) continue;
    for (const file of readdirSync(join(dir, sub))
      .filter((f) => f.endsWith(".jsonl"))
      .sort()) {
      const rel = `rules/examples/${sub}/${file}`;
      readFileSync(join(dir, sub, file), "utf8")
        .split("\n")
        .forEach((text, i) => {
          if (text.trim() === "") return;
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch (error) {
            throw new Error(`${rel}:${i + 1}: ${(error as Error).message}`);
          }
          const parsed = CorpusLineSchema.safeParse(json);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new Error(`${rel}:${i + 1}: ${issue?.path.join(".")}: ${issue?.message}`);
          }
          const line = parsed.data;
          out.push({
            name: `${rel}:${i + 1}`,
            product: line.product,
            version: line.version,
            os: line.os ?? null,
            origin: "corpus",
            source: line.source,
            record: corpusRecord(line),
            group: `${rel}:${i + 1}`,
            ...(line.built_on ? { builtOn: line.built_on } : {}),
          });
        });
    }
  }
  return out;
}

export function recordFixturesDir(): string {
  return join(examplesDir(), "records");
}

/** Whole-record fixtures (rules/examples/records/*.json). */
export function loadRecordExamples(dir = recordFixturesDir()): Example[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
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
      const synthetic = parsed.data.synthetic;
      return {
        name: `rules/examples/records/${f}`,
        product: parsed.data.truth.product,
        version: parsed.data.truth.version ?? null,
        os: null,
        origin: synthetic ? ("synthetic" as const) : ("learned" as const),
        // a synthetic record's source is its documentation; a learned one is a lab server
        source: synthetic
          ? `research: ${synthetic.source}`
          : (parsed.data.source ?? `lab: ${record.data.ip}`),
        record: record.data,
        group: synthetic ? f : record.data.ip,
      };
    });
}

/** The lab's golden records, labelled by `truth` (the lab's server list, looked up by address). */
export function loadLabExamples(
  truth: (ip: string) => { product: string; version: string; name?: string } | undefined,
  dir: string,
): Example[] {
  if (!existsSync(dir)) return [];
  // the golden records of every protocol: test/fixtures/lab/*.json and any folder below (ssh/)
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json"));
  return files.sort().flatMap((f) => {
    const record = ScanRecordSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8")));
    const label = truth(record.ip);
    if (!label || record.status !== "ok") return [];
    return [
      {
        name: `test/fixtures/lab/${f}`,
        product: label.product,
        version: label.version,
        os: null,
        origin: "lab" as const,
        source: `lab: ${record.ip}`,
        record,
        group: record.ip,
      },
    ];
  });
}
