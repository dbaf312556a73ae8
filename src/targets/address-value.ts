/**
 * Addresses as numbers and back: the hot paths of sampling, sharding and de-duplication handle
 * millions of IPv4 addresses, so dotted quads are parsed and printed by hand (ipaddr.js objects
 * cost an allocation each); IPv6 and anything unusual goes through cidr.ts (ipaddr.js).
 */

import { type Cidr, cidrSize, type IpAddress, isIpAddress, parseIp } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import { parseV4Number } from "../core/ipv4.js";
import type { AddressRange } from "../core/target.js";

export interface AddressValue {
  family: 4 | 6;
  value: bigint;
}

// parseV4Number lives in core (the scope check needs it too); re-exported for the targets
export { parseV4Number } from "../core/ipv4.js";

/**
 * "a.b.c.d" or "a.b.c.d/n" (host bits cleared, as parseCidr does) as first and last unsigned
 * 32-bit values, or undefined for anything else: the fast path for long IPv4 lists.
 */
export function parseV4Range(text: string): { first: number; last: number } | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) {
    const value = parseV4Number(text);
    return value === undefined ? undefined : { first: value, last: value };
  }
  const value = parseV4Number(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (value === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = value - (value % size);
  return { first, last: first + size - 1 };
}

/** An unsigned 32-bit number as a dotted quad. */
export function formatV4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Any address (IPv4-mapped IPv6 counts as IPv4, as everywhere else); InputError if it is none. */
export function parseAddressValue(text: string): AddressValue {
  const v4 = parseV4Number(text);
  if (v4 !== undefined) return { family: 4, value: BigInt(v4) };
  const address = parseStrictIp(text);
  return { family: address.kind() === "ipv4" ? 4 : 6, value: bytesToBigint(address.toByteArray()) };
}

/**
 * An address in the strict forms cidr.ts accepts (four decimal parts for IPv4: no "127.1"
 * shorthand), IPv4-mapped IPv6 as IPv4; InputError for anything else.
 */
export function parseStrictIp(text: string): IpAddress {
  if (!isIpAddress(text)) throw new InputError(`not an IP address: ${JSON.stringify(text)}`);
  return parseIp(text);
}

/** The canonical text of an address value (RFC 5952 for IPv6, as ipaddr.js prints it). */
export function formatAddress(family: 4 | 6, value: bigint): string {
  return family === 4 ? formatV4(Number(value)) : formatV6(value);
}

/**
 * A 128-bit value as RFC 5952 text, the form ipaddr.js prints (lower case, no leading zeros,
 * the longest run of two or more zero groups as "::", the first on a tie) without building an
 * ipaddr.js object: sampling IPv6 prints one per address.
 */
export function formatV6(value: bigint): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = Number(BigInt.asUintN(16, value >> BigInt(112 - 16 * i)));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

export function bytesToBigint(bytes: readonly number[]): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** The first and last address of a CIDR. */
export function cidrRange(cidr: Cidr): AddressRange {
  const family = cidr.address.kind() === "ipv4" ? 4 : 6;
  const first = bytesToBigint(cidr.address.toByteArray());
  return { family, first, last: first + cidrSize(cidr) - 1n };
}
