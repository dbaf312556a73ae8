/**
 * Which network prefix an address is in, as a short key: what --per-prefix-rate paces and what
 * the engine threads share by. IPv4 addresses group by /bits, IPv6 by /(bits + 24) (a /24 of
 * IPv4 stands beside a /48 of IPv6, the usual size of one site's allocation).
 */
import ipaddr from "ipaddr.js";
import { parseV4Number } from "./ipv4.js";

export const DEFAULT_PREFIX_BITS = 24;

export function prefixKey(ip: string, bits: number): string {
  const v4 = parseV4Number(ip, false);
  if (v4 !== undefined) {
    // bits 0: every address in one prefix (a shift by 32 would be a shift by 0)
    const network = bits === 0 ? 0 : (v4 >>> (32 - bits)) << (32 - bits);
    return `${network >>> 0}/${bits}`;
  }
  const v6Bits = Math.min(128, bits + 24);
  const bytes = ipaddr.parse(ip).toByteArray();
  let key = "";
  for (let bit = 0; bit < v6Bits; bit += 8) {
    const keep = Math.min(8, v6Bits - bit);
    const byte = (bytes[bit / 8] as number) & (0xff << (8 - keep)) & 0xff;
    key += byte.toString(16).padStart(2, "0");
  }
  return `${key}/${v6Bits}`;
}
