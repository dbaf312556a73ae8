/** Small facts read off one record, shared by the tallies and the run diff. */
import { protocolFamily } from "../protocols/registry.js";
import type { Certificate, ScanRecord, Software } from "../store/schema.js";

/** protocols whose records are SMTP dialogues (plain with STARTTLS, or implicit TLS on 465) */
export function isSmtpProtocol(protocol: string): boolean {
  return protocolFamily(protocol) === "smtp";
}

/** Which SMTP port speaks for a host: 25 (relay) first, then submission 587, then 465, then the rest. */
export function smtpPortRank(port: number): number {
  if (port === 25) return 0;
  if (port === 587) return 1;
  if (port === 465) return 2;
  return 3;
}

/** The identified software, or null when there is none or it is "unknown". */
export function knownSoftware(record: ScanRecord): Software | null {
  const software = record.software;
  if (!software || software.product === "unknown" || software.product === "") return null;
  return software;
}

/**
 * The name the server announced, normalised (lower case, no trailing dot): the first word of
 * the EHLO reply, else tls.names.server_name (which falls back to the greeting). Only a name
 * that can tell hosts apart counts: it must have a dot and must not be an address literal or
 * localhost, since thousands of unrelated default installs announce "localhost.localdomain".
 */
export function announcedName(record: ScanRecord): string | null {
  const first = record.smtp?.ehlo?.[0]?.trim();
  const space = first?.search(/\s/) ?? -1;
  const fromEhlo = space >= 0 ? first?.slice(0, space) : first;
  const name = (fromEhlo || record.tls?.names?.server_name || "").toLowerCase().replace(/\.$/, "");
  if (!name.includes(".") || name.startsWith("[") || /^[\d.]+$/.test(name) || name.includes(":")) return null;
  if (name === "localhost.localdomain" || name.startsWith("localhost.") || name.endsWith(".localdomain"))
    return null;
  return name;
}

/** An ISO 8601 UTC time in the exact shape the records use: 2026-06-01T12:00:00.000Z */
function isIsoUtc(text: string): boolean {
  return text.length === 24 && text.charCodeAt(10) === 84 /* T */ && text.endsWith("Z");
}

/**
 * Whether ISO 8601 time `a` is before `b`. Two UTC times in the records' exact shape compare as
 * text, which saves parsing three dates per record; any other shape is parsed.
 */
export function isoBefore(a: string, b: string): boolean {
  if (isIsoUtc(a) && isIsoUtc(b)) return a < b;
  return Date.parse(a) < Date.parse(b);
}

/** A time the tallies can order: the records' shape, or anything Date.parse reads. */
export function isTime(text: string): boolean {
  return isIsoUtc(text) || !Number.isNaN(Date.parse(text));
}

/** Every key identity the record presents: the TLS leaf's SPKI hash and each SSH host key's. */
export function keyIdentities(record: ScanRecord): string[] {
  const keys: string[] = [];
  const leaf = record.tls?.chain[0];
  if (leaf?.spki_sha256) keys.push(leaf.spki_sha256.toLowerCase());
  for (const key of record.ssh?.host_keys ?? [])
    if (key.spki_sha256) keys.push(key.spki_sha256.toLowerCase());
  return keys;
}

/** The EHLO reply (before TLS) lists STARTTLS. */
export function offersStarttls(record: ScanRecord): boolean {
  const lines = record.smtp?.ehlo;
  if (!lines) return false;
  for (let i = 1; i < lines.length; i++) {
    const word = (lines[i] as string).trim().toUpperCase();
    if (word === "STARTTLS" || word.startsWith("STARTTLS ")) return true;
  }
  return false;
}

/**
 * A key too weak for its algorithm today: RSA under 2048 bits (NIST SP 800-131A), any DSA
 * (withdrawn in FIPS 186-5), EC under 224 bits. A key of unknown size is not counted as weak.
 */
export function isWeakKey(certificate: Pick<Certificate, "key_type" | "key_bits">): boolean {
  const type = certificate.key_type?.toLowerCase() ?? "";
  const bits = certificate.key_bits;
  if (type === "dsa") return true;
  if (bits === null) return false;
  if (type === "rsa" || type === "rsa-pss") return bits < 2048;
  if (type === "ec") return bits < 224;
  return false;
}

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g;
/** two or more colons among hex digits: an IPv6 address, with a port after it or not (a clock time too, also worth masking) */
const IPV6 = /(?<![\w:.])\[?(?:[0-9a-f]{0,4}:){2,8}[0-9a-f]{0,4}(?:\](?::\d{1,5})?)?(?![\w:])/gi;

/** An error detail with addresses and ports masked and its length capped, so like errors count as one. */
export function errorKind(error: string): string {
  const masked = error.replace(IPV4, "<ip>").replace(IPV6, "<ip>");
  return masked.length > 160 ? `${masked.slice(0, 157)}...` : masked;
}
