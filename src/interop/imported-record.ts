/**
 * The record an importer starts from: smtpsurvey's blank record (schema 1) for one endpoint another
 * tool grabbed, marked with that tool's name in `source`. Time fields stay null unless the tool
 * kept them: nothing is made up (docs/interop.md).
 */

import type { Status } from "../core/status.js";
import { blankRecord, type ScanRecord } from "../protocols/record.js";
import { protocolFamily, protocolForPort } from "../protocols/registry.js";

/** The tools whose records `smtpsurvey import` reads. */
export const IMPORT_FORMATS = ["zgrab2", "masscan", "sftcd"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportedBase {
  ip: string;
  port: number;
  protocol: string;
  status: Status;
  error: string | null;
  /** ISO 8601, or null when the tool kept no time */
  startedAt: string | null;
  name?: string | null;
  country?: string;
  asn?: number;
}

export function importedRecord(source: ImportFormat, base: ImportedBase): ScanRecord {
  const { startedAt, ...rest } = base;
  const record = blankRecord({ ...rest, started_at: startedAt ?? "" });
  record.started_at = startedAt;
  record.duration_ms = null;
  record.source = source;
  return record;
}

/** A time another tool wrote (RFC 3339, or Unix seconds as masscan does) as ISO 8601, or null. */
export function isoTime(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === "") return null;
  const ms =
    typeof value === "number" || /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * The port's own protocol when it is of `protocol`'s family (993 → imaps for an IMAP dialogue),
 * else `protocol`: what a tool's output cannot say (implicit TLS or not) its port can.
 */
export function portProtocol(port: number, protocol: string): string {
  const byPort = protocolForPort(port);
  return protocolFamily(byPort) === protocolFamily(protocol) ? byPort : protocol;
}
