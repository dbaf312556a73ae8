/**
 * The blank record every record starts from, without zod (record.ts has the schema): the engine
 * threads make records and never validate one, and loading zod costs ~15 MB of RSS per thread.
 * blank-record.test.ts checks that RECORD_PART_NAMES are the schema's parts.
 */
import type { RecordPartName, ScanRecord } from "./record.js";

export const SCHEMA_VERSION = 1;

/** The protocol parts of a record, in schema order (parts.ts lists their schemas). */
export const RECORD_PART_NAMES = [
  "smtp",
  "tls",
  "ssh",
  "imap",
  "pop3",
  "http",
  "ftp",
] as const satisfies readonly RecordPartName[];

/** Every protocol part null: what a record holds before (or without) a session. */
const NO_PARTS = Object.fromEntries(RECORD_PART_NAMES.map((key) => [key, null])) as {
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
 * a benchmark builds.
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
