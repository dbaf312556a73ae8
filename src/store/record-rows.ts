/**
 * One scan record as rows of the run database (run-database-schema.ts): its `records` row and the
 * rows of its child tables. Values come in the column lists' order; booleans become 0/1 because
 * SQLite (and better-sqlite3's binding) has no boolean type.
 */
import { PROTOCOL_COLUMNS, PROTOCOL_DESCRIPTIONS } from "../protocols/registry.js";
import type { ScanRecord } from "./schema.js";

export type SqlValue = string | number | null;

export interface RecordRows {
  record: SqlValue[];
  /** without record_id: the caller prepends it once the record's id is known */
  certificates: SqlValue[][];
  sshHostKeys: SqlValue[][];
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
      bannerOf(record),
      ehloNameOf(record),
      flag(starttlsOffered(record)),
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
    sshHostKeys: (record.ssh?.host_keys ?? []).map((k) => [
      ip,
      port,
      k.type,
      k.algorithm,
      k.bits,
      k.fingerprint_sha256,
      k.spki_sha256,
    ]),
    softwareAlternatives: (software?.alternatives ?? []).map((a) => [ip, port, a.product, a.probability]),
  };
}

/** The greeting the service sent first, from whichever protocol's part the record has. */
function bannerOf(record: ScanRecord): string | null {
  for (const description of PROTOCOL_DESCRIPTIONS) {
    const greeting = description.greeting?.(record);
    if (greeting != null) return greeting;
  }
  return null;
}

/** The name the server gave itself in the dialogue (an SMTP server's EHLO reply). */
function ehloNameOf(record: ScanRecord): string | null {
  for (const description of PROTOCOL_DESCRIPTIONS) {
    const name = description.announcedName?.(record);
    if (name != null) return name;
  }
  return null;
}

/**
 * Whether the server offered to upgrade to TLS: STARTTLS in the EHLO reply or IMAP CAPABILITY, STLS
 * in POP3 CAPA (each protocol's description says). Null when no such list was received (no EHLO
 * reply, no CAPABILITY, implicit TLS).
 */
function starttlsOffered(record: ScanRecord): boolean | null {
  // on implicit TLS the lists are read inside TLS, where no server offers an upgrade: not a "no"
  if (record.tls?.implicit) return null;
  let seen = false;
  for (const description of PROTOCOL_DESCRIPTIONS) {
    const offered = description.upgradeOffered?.(record);
    if (offered === true) return true;
    if (offered === false) seen = true;
  }
  return seen ? false : null;
}
