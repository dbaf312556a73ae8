/**
 * One scan record as rows of the run database (run-database-schema.ts): its `records` row and the
 * rows of its child tables. Values come in the column lists' order; booleans become 0/1 because
 * SQLite (and better-sqlite3's binding) has no boolean type.
 */
import { announcedNameOf, greetingOf, upgradeOfferedBy } from "../protocols/record-view.js";
import { PROTOCOL_COLUMNS, PROTOCOL_TABLES } from "../protocols/registry.js";
import type { ScanRecord } from "./schema.js";

export type SqlValue = string | number | null;

export interface RecordRows {
  record: SqlValue[];
  /** without record_id: the caller prepends it once the record's id is known */
  certificates: SqlValue[][];
  /** each protocol table's rows (registry PROTOCOL_TABLES, in that order) */
  protocolTables: SqlValue[][][];
  softwareAlternatives: SqlValue[][];
}

const flag = (value: boolean | null | undefined): number | null =>
  value === null || value === undefined ? null : value ? 1 : 0;

export function recordRows(record: ScanRecord): RecordRows {
  const { ip, port } = record;
  const tls = record.tls;
  const leaf = tls?.chain[0];
  const software = record.software;
  return {
    record: [
      ip,
      port,
      record.protocol,
      record.name,
      record.status,
      record.error,
      record.started_at,
      record.duration_ms,
      greetingOf(record),
      announcedNameOf(record),
      flag(upgradeOfferedBy(record)),
      tls?.version ?? null,
      tls?.cipher ?? null,
      tls?.error ?? null,
      leaf?.spki_sha256 ?? null,
      leaf?.subject ?? null,
      leaf?.issuer ?? null,
      leaf?.not_after ?? null,
      flag(leaf?.self_signed),
      leaf?.key_type ?? null,
      leaf?.key_bits ?? null,
      ...PROTOCOL_COLUMNS.map((column) => column.value(record)),
      software?.product ?? null,
      software?.vendor ?? null,
      software?.kind ?? null,
      software?.version ?? null,
      software?.version_range ?? null,
      software?.os ?? null,
      software?.hint ?? null,
      software?.confidence ?? null,
      JSON.stringify(record),
    ],
    certificates: (tls?.chain ?? []).map((c, position) => [
      ip,
      port,
      position,
      c.sha256,
      c.spki_sha256,
      c.subject,
      c.issuer,
      JSON.stringify(c.san),
      c.serial,
      c.not_before,
      c.not_after,
      flag(c.self_signed),
      c.key_type,
      c.key_bits,
    ]),
    protocolTables: PROTOCOL_TABLES.map((table) => table.rows(record).map((row) => [ip, port, ...row])),
    softwareAlternatives: (software?.alternatives ?? []).map((a) => [ip, port, a.product, a.probability]),
  };
}
