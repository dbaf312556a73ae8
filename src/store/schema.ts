/**
 * The record schema, version 1: one JSON object per (ip, port). Documented field by field in
 * docs/records.md; change both together and bump SCHEMA_VERSION when a field changes meaning.
 */
import { z } from "zod";
import { STATUSES } from "../core/status.js";

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

/** Whether the leaf certificate names the host: its PTR name, and the name it gave itself. */
export const NameMatchSchema = z.object({
  /** the reverse DNS name of the address, if any */
  ptr: z.string().nullable(),
  ptr_match: z.boolean().nullable(),
  /** the name the server announced (SMTP greeting/EHLO, IMAP/POP3 greeting when it has one) */
  server_name: z.string().nullable(),
  server_name_match: z.boolean().nullable(),
});
export type NameMatch = z.infer<typeof NameMatchSchema>;

export const TlsSchema = z.object({
  /** true for implicit TLS (465, 993, 995, 443), false after STARTTLS/STLS */
  implicit: z.boolean(),
  version: z.string().nullable(),
  cipher: z.string().nullable(),
  chain: z.array(CertificateSchema),
  error: z.string().nullable(),
  /** filled when there is a leaf certificate */
  names: NameMatchSchema.nullable().default(null),
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

/** An SMTP part with nothing in it yet: sessions fill it in, tests and examples override it. */
export function emptySmtpRecord(): SmtpRecord {
  return {
    banner: null,
    ehlo: null,
    helo: null,
    help: null,
    starttls: null,
    ehlo_tls: null,
    quit: null,
    replies: {},
    probes: [],
  };
}

/** One SSH host key, fetched with its own handshake; the same key identity as a TLS key's. */
export const SshHostKeySchema = z.object({
  /** the key's type as in its wire blob: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ssh-dss */
  type: z.string(),
  /** the host key algorithm negotiated to fetch it (rsa-sha2-512 for an RSA key, …) */
  algorithm: z.string(),
  bits: z.number().nullable(),
  /** exactly as OpenSSH prints it: "SHA256:" + unpadded base64 of SHA-256 over the wire blob */
  fingerprint_sha256: z.string(),
  /** lowercase hex SHA-256 of the key as DER SubjectPublicKeyInfo (keys/spki.ts; null for a type we cannot read) */
  spki_sha256: z.string().nullable(),
  /** the wire-format blob, base64 */
  blob: z.string(),
});
export type SshHostKey = z.infer<typeof SshHostKeySchema>;

export const SshSchema = z.object({
  /** the server's identification string, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" */
  banner: z.string().nullable(),
  /** the server's KEXINIT name-lists */
  kex: z
    .object({
      kex: z.array(z.string()),
      host_key: z.array(z.string()),
      ciphers_c2s: z.array(z.string()),
      ciphers_s2c: z.array(z.string()),
      macs_c2s: z.array(z.string()),
      macs_s2c: z.array(z.string()),
      compression_c2s: z.array(z.string()),
      compression_s2c: z.array(z.string()),
    })
    .nullable(),
  host_keys: z.array(SshHostKeySchema),
  /** host key algorithms the server offered whose handshake failed, and why */
  errors: z.array(z.object({ algorithm: z.string(), error: z.string() })),
});
export type SshRecord = z.infer<typeof SshSchema>;

/** IMAP (143 with STARTTLS, 993 implicit TLS). Never LOGIN or AUTHENTICATE. */
export const ImapSchema = z.object({
  greeting: z.string().nullable(),
  /** CAPABILITY before TLS (words, as sent) */
  capabilities: z.array(z.string()).nullable(),
  /** the tagged reply to STARTTLS */
  starttls: z.string().nullable(),
  /** CAPABILITY inside TLS */
  capabilities_tls: z.array(z.string()).nullable(),
});
export type ImapRecord = z.infer<typeof ImapSchema>;

/** POP3 (110 with STLS, 995 implicit TLS). Never USER, PASS or AUTH. */
export const Pop3Schema = z.object({
  greeting: z.string().nullable(),
  /** CAPA before TLS: the capability lines, as sent */
  capabilities: z.array(z.string()).nullable(),
  /** the reply to STLS */
  stls: z.string().nullable(),
  capabilities_tls: z.array(z.string()).nullable(),
});
export type Pop3Record = z.infer<typeof Pop3Schema>;

/** HTTP(S): one HEAD / (inside TLS on 443). */
export const HttpSchema = z.object({
  status_line: z.string().nullable(),
  status: z.number().nullable(),
  /** the Server header */
  server: z.string().nullable(),
  headers: z.array(z.tuple([z.string(), z.string()])),
});
export type HttpRecord = z.infer<typeof HttpSchema>;

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
 * The protocol parts of a record, each null unless a session filled it: SMTP's dialogue (smtp
 * and smtps), the TLS handshake (any protocol that did one), SSH, IMAP, POP3 and HTTP. A part
 * absent from an older record reads as null.
 */
const nullablePart = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);
const RECORD_PARTS = {
  smtp: nullablePart(SmtpSchema),
  tls: nullablePart(TlsSchema),
  ssh: nullablePart(SshSchema),
  imap: nullablePart(ImapSchema),
  pop3: nullablePart(Pop3Schema),
  http: nullablePart(HttpSchema),
};
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
  started_at: z.string(),
  duration_ms: z.number(),
  ...RECORD_PARTS,
  transcript: z.array(TranscriptEntrySchema),
  /** filled by `identify` / `grab --identify`; null when no identification was asked for */
  software: SoftwareSchema.nullable().default(null),
});
export type ScanRecord = z.infer<typeof ScanRecordSchema>;

/** Every protocol part null: what a record holds before (or without) a session. */
const NO_PARTS = Object.fromEntries(Object.keys(RECORD_PARTS).map((key) => [key, null])) as {
  [K in RecordPartName]: null;
};

/** What a blank record is made from: where it went, and what happened, if anything yet. */
export interface RecordBase {
  ip: string;
  port: number;
  protocol: string;
  name?: string | null;
  country?: string;
  asn?: number;
  status: ScanRecord["status"];
  error?: string | null;
  started_at: string;
  duration_ms?: number;
}

/**
 * A record with no protocol part, no transcript and no identification: the base of every
 * record the engine writes, the whole of a failed one, and the start of every record a test or
 * a benchmark builds. The one place that lists a record's parts is RECORD_PARTS above.
 */
export function blankRecord(base: RecordBase): ScanRecord {
  return {
    schema: SCHEMA_VERSION,
    ip: base.ip,
    port: base.port,
    protocol: base.protocol,
    name: base.name ?? null,
    ...(base.country !== undefined ? { country: base.country } : {}),
    ...(base.asn !== undefined ? { asn: base.asn } : {}),
    status: base.status,
    error: base.error ?? null,
    started_at: base.started_at,
    duration_ms: base.duration_ms ?? 0,
    ...NO_PARTS,
    transcript: [],
    software: null,
  };
}
