/**
 * The record schema, version 1: one JSON object per (ip, port). It lives beside the protocols
 * because they fill it (each its part, listed in parts.ts); src/store re-exports it and owns the
 * files and tables records go to. Documented field by field in
 * docs/records.md; change both together and bump SCHEMA_VERSION when a field changes meaning.
 */
import { z } from "zod";
import { STATUSES } from "../core/status.js";
import { TranscriptEntrySchema } from "../core/transcript.js";
import { SCHEMA_VERSION } from "./blank-record.js";
import { RECORD_PART_SCHEMAS } from "./parts.js";

// Each protocol's part lives in its folder (src/protocols/<name>/schema.ts); re-exported here so
// that a reader of records has one module to import from.
export * from "../core/transcript.js";
// SCHEMA_VERSION, RECORD_PART_NAMES and blankRecord live in blank-record.ts, without zod: the
// engine threads make records and never validate one, and zod is ~15 MB of RSS in each thread.
export * from "./blank-record.js";
export * from "./parts.js";

/** What src/fingerprint concluded about the software behind a record (docs/records.md, `software`). */
export const SoftwareSchema = z.object({
  /** the product's name as its rule file gives it, or "unknown" when nothing is convincing */
  product: z.string(),
  vendor: z.string().nullable(),
  kind: z.string().nullable(),
  version: z.string().nullable(),
  version_range: z.string().nullable(),
  /** the platform the evidence reveals ("Debian 12", "Ubuntu 22.04", "Windows"), when it does */
  os: z.string().nullable().default(null),
  /** the product word the greeting shows, if any ("FooMail"): kept even when the answer is unknown */
  hint: z.string().nullable().default(null),
  /** the calibrated probability that `product` is right (0–1) */
  confidence: z.number(),
  alternatives: z.array(z.object({ product: z.string(), probability: z.number() })),
  /** the rules that fired for `product`: "file#id", the feature they read, their weight in nats */
  evidence: z.array(z.object({ rule: z.string(), feature: z.string(), weight: z.number() })),
});
export type Software = z.infer<typeof SoftwareSchema>;

/**
 * The protocol parts of a record (src/protocols/parts.ts), each null unless a session filled it.
 * A part absent from an older record reads as null.
 */
const nullablePart = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);
type RecordPartSchemas = typeof RECORD_PART_SCHEMAS;
const RECORD_PARTS = Object.fromEntries(
  Object.entries(RECORD_PART_SCHEMAS).map(([name, schema]) => [name, nullablePart(schema)]),
) as { [K in keyof RecordPartSchemas]: z.ZodDefault<z.ZodNullable<RecordPartSchemas[K]>> };
export type RecordPartName = keyof typeof RECORD_PARTS;

export const ScanRecordSchema = z.object({
  schema: z.literal(SCHEMA_VERSION),
  ip: z.string(),
  port: z.number().int().min(1).max(65535),
  protocol: z.string(),
  /** the host name the target was given as, when it was a name (or the MX host, for --domains) */
  name: z.string().nullable(),
  /** ISO 3166 country of the address, when --country or --mmdb told it */
  country: z.string().optional(),
  /** the autonomous system announcing the address, when --asn or --mmdb told it */
  asn: z.number().int().optional(),
  status: z.enum(STATUSES),
  /** a human-readable detail for a failure status (errno, the reply, the cap that was hit) */
  error: z.string().nullable(),
  /** ISO 8601; null only in an imported record whose source tool kept no time (docs/interop.md) */
  started_at: z.string().nullable(),
  /** null only in an imported record whose source tool did not measure it */
  duration_ms: z.number().nullable(),
  /** the tool that grabbed an imported record ("zgrab2", "masscan", "sftcd"); absent for smtpsurvey's own */
  source: z.string().optional(),
  ...RECORD_PARTS,
  transcript: z.array(TranscriptEntrySchema),
  /** filled by `identify` / `grab --identify`; null when no identification was asked for */
  software: SoftwareSchema.nullable().default(null),
});
export type ScanRecord = z.infer<typeof ScanRecordSchema>;
