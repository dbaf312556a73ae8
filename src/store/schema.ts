/**
 * The record schema, version 1: one JSON object per (ip, port). Documented field by field in
 * docs/records.md; change both together and bump SCHEMA_VERSION when a field changes meaning.
 */
import { z } from "zod";
import { STATUSES } from "../scan/status.js";

export const SCHEMA_VERSION = 1;

/** One parsed reply: code, RFC 3463 enhanced code when present, text of each line, raw bytes. */
export const ReplySchema = z.object({
  code: z.number().int(),
  enhanced: z.string().nullable(),
  lines: z.array(z.string()),
  raw: z.string(),
});
export type Reply = z.infer<typeof ReplySchema>;

export const TranscriptEntrySchema = z.object({
  /** milliseconds since the record's started_at */
  t: z.number(),
  /** connection number within the record: 0 is the main session, 1.. are probe sessions */
  conn: z.number().int(),
  /** C client sent, S server sent, I what happened (connect, TLS, close) */
  dir: z.enum(["C", "S", "I"]),
  data: z.string(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;

export const CertificateSchema = z.object({
  der: z.string(), // base64
  sha256: z.string(),
  spki_sha256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  san: z.array(z.string()),
  not_before: z.string(),
  not_after: z.string(),
  serial: z.string(),
  key_type: z.string().nullable(),
  key_bits: z.number().nullable(),
  self_signed: z.boolean(),
});
export type Certificate = z.infer<typeof CertificateSchema>;

export const TlsSchema = z.object({
  /** true for implicit TLS (465), false after STARTTLS */
  implicit: z.boolean(),
  version: z.string().nullable(),
  cipher: z.string().nullable(),
  chain: z.array(CertificateSchema),
  error: z.string().nullable(),
});
export type TlsRecord = z.infer<typeof TlsSchema>;

export const ProbeSchema = z.object({
  name: z.string(),
  status: z.enum(STATUSES),
  steps: z.array(z.object({ command: z.string(), reply: ReplySchema.nullable() })),
  /** why the probe stopped: all commands sent, second error reply, a 421, or a failure status */
  ended: z.enum(["complete", "errors", "421", "failure"]),
});
export type ProbeResult = z.infer<typeof ProbeSchema>;

export const SmtpSchema = z.object({
  /** every greeting line as received, joined with "\n" */
  banner: z.string().nullable(),
  /** text of each EHLO reply line after the code: the greeting line first, then the keywords */
  ehlo: z.array(z.string()).nullable(),
  /** the HELO reply's lines, when EHLO was refused */
  helo: z.array(z.string()).nullable(),
  help: ReplySchema.nullable(),
  starttls: ReplySchema.nullable(),
  ehlo_tls: z.array(z.string()).nullable(),
  quit: ReplySchema.nullable(),
  /** the parsed replies behind the text fields: greeting, ehlo, helo, ehlo_tls */
  replies: z.record(z.string(), ReplySchema),
  probes: z.array(ProbeSchema),
});
export type SmtpRecord = z.infer<typeof SmtpSchema>;

export const ScanRecordSchema = z.object({
  schema: z.literal(SCHEMA_VERSION),
  ip: z.string(),
  port: z.number().int().min(1).max(65535),
  protocol: z.string(),
  /** the host name the target was given as, when it was a name */
  name: z.string().nullable(),
  status: z.enum(STATUSES),
  /** a human-readable detail for a failure status (errno, the reply, the cap that was hit) */
  error: z.string().nullable(),
  started_at: z.string(),
  duration_ms: z.number(),
  smtp: SmtpSchema.nullable(),
  tls: TlsSchema.nullable(),
  transcript: z.array(TranscriptEntrySchema),
});
export type ScanRecord = z.infer<typeof ScanRecordSchema>;
