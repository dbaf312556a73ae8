/**
 * The record an importer starts from: smtpsurvey's blank record (schema 1) for one endpoint another
 * tool grabbed, marked with that tool's name in `source`. Time fields stay null unless the tool
 * kept them: nothing is made up (docs/interop.md).
 */

import type { Status } from "../core/status.js";
import { blankRecord, type ScanRecord } from "../protocols/record.js";

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
  const record = blankRecord({
    ip: base.ip,
    port: base.port,
    protocol: base.protocol,
    name: base.name ?? null,
    ...(base.country !== undefined ? { country: base.country } : {}),
    ...(base.asn !== undefined ? { asn: base.asn } : {}),
    status: base.status,
    error: base.error,
    started_at: base.startedAt ?? "",
  });
  record.started_at = base.startedAt;
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
