/**
 * What any record says, whatever its protocol: its greeting, the name the server gave itself,
 * whether it offered a TLS upgrade, a one-line self-description. Each answer comes from the
 * descriptions in the registry, so that the tables (src/store) and the terminal summary
 * (src/report) read every protocol without naming one.
 */
import type { ScanRecord } from "./record.js";
import { PROTOCOL_DESCRIPTIONS } from "./registry.js";
import type { ProtocolDescription } from "./types.js";

function firstOf<T>(read: (d: ProtocolDescription) => T | null | undefined): T | null {
  for (const description of PROTOCOL_DESCRIPTIONS) {
    const value = read(description);
    if (value != null) return value;
  }
  return null;
}

/** The greeting the service sent first, from whichever protocol's part the record has. */
export function greetingOf(record: ScanRecord): string | null {
  return firstOf((d) => d.greeting?.(record));
}

/** The name the server gave itself in the dialogue (an SMTP server's EHLO reply). */
export function announcedNameOf(record: ScanRecord): string | null {
  return firstOf((d) => d.announcedName?.(record));
}

/** What a server says of itself first, as one line for the terminal table ("" when nothing). */
export function selfDescriptionOf(record: ScanRecord): string {
  return firstOf((d) => d.selfDescription?.(record)) ?? "";
}

/**
 * Whether the server offered to upgrade to TLS (STARTTLS in an EHLO reply or IMAP CAPABILITY,
 * STLS in POP3 CAPA: each description says). Null when no such list was received (no EHLO
 * reply, no CAPABILITY, implicit TLS).
 */
export function upgradeOfferedBy(record: ScanRecord): boolean | null {
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
