/**
 * Every protocol smtpsurvey speaks, and which one a port gets by default. Adding a protocol is
 * adding its module here (a new family also lists its record part in parts.ts): the
 * engine only ever looks protocols up by name.
 */
import { ftp } from "./ftp/index.js";
import { http, https } from "./http/index.js";
import { imap, imaps } from "./imap/index.js";
import { pop3, pop3s } from "./pop3/index.js";
import { smtp, smtps } from "./smtp/index.js";
import { ssh } from "./ssh/index.js";
import type { Protocol, ProtocolDescription } from "./types.js";

/** In this order the tables list protocols' own columns (ssh_banner before http_server). */
const PROTOCOLS: readonly Protocol[] = [smtp, smtps, ssh, imap, imaps, pop3, pop3s, http, https, ftp];

/** What a port no protocol claims gets, and what a record that names no protocol is read as: a mail survey's. */
export const DEFAULT_PROTOCOL = "smtp";

const byName = new Map(PROTOCOLS.map((p) => [p.name, p]));

export function protocolNamed(name: string): Protocol | undefined {
  return byName.get(name);
}

export function protocolNames(): string[] {
  return [...byName.keys()];
}

/**
 * The family a protocol belongs to (smtps → smtp, imaps → imap, pop3s → pop3, https → http):
 * the one place that decides it. A name the registry does not know is its own family.
 */
export function protocolFamily(name: string): string {
  const lower = name.toLowerCase();
  return byName.get(lower)?.family ?? lower;
}

/** The default protocol for a port: the one that lists it, else SMTP. */
export function protocolForPort(port: number): string {
  return PROTOCOLS.find((p) => p.defaultPorts.includes(port))?.name ?? DEFAULT_PROTOCOL;
}

/** One description per family, in the registry's order: what identification and the tables read. */
export const PROTOCOL_DESCRIPTIONS: readonly ProtocolDescription[] = [
  ...new Set(PROTOCOLS.map((p) => p.description)),
];

/** The columns protocols add to the run database's `records` table, in the registry's order. */
export const PROTOCOL_COLUMNS = PROTOCOL_DESCRIPTIONS.flatMap((d) => d.columns ?? []);

/** The child tables protocols add to the run database, in the registry's order. */
export const PROTOCOL_TABLES = PROTOCOL_DESCRIPTIONS.flatMap((d) => d.tables ?? []);
