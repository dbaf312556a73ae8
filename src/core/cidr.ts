/** Address and CIDR parsing on top of ipaddr.js, with one clear message for bad input. */
import ipaddr from "ipaddr.js";
import { InputError } from "./errors.js";

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export interface Cidr {
  text: string;
  address: IpAddress;
  prefix: number;
}

/** Parses "a.b.c.d", "a.b.c.d/n", "v6", "v6/n"; IPv4-mapped IPv6 becomes IPv4. */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  if (!looksStrict(trimmed.split("/")[0] ?? "")) {
    throw new InputError(`not an IP address or CIDR: ${JSON.stringify(trimmed)}`);
  }
  try {
    if (trimmed.includes("/")) {
      const [address, prefix] = ipaddr.parseCIDR(trimmed);
      const network = networkOf(address, prefix);
      return { text: `${network.toString()}/${prefix}`, address: network, prefix };
    }
    const address = normalise(ipaddr.parse(trimmed));
    const prefix = address.kind() === "ipv4" ? 32 : 128;
    return { text: `${address.toString()}/${prefix}`, address, prefix };
  } catch {
    throw new InputError(`not an IP address or CIDR: ${JSON.stringify(trimmed)}`);
  }
}

export function isIpAddress(text: string): boolean {
  return looksStrict(text.trim()) && ipaddr.isValid(text.trim());
}

/** ipaddr.js also takes classful shorthand ("127.1", "0x7f.1"); we take four decimal parts only. */
function looksStrict(address: string): boolean {
  return address.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
}

export function parseIp(text: string): IpAddress {
  return normalise(ipaddr.parse(text.trim()));
}

function normalise(address: IpAddress): IpAddress {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

function networkOf(address: IpAddress, prefix: number): IpAddress {
  const bytes = address.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    const i = Math.floor(bit / 8);
    bytes[i] = (bytes[i] as number) & ~(0x80 >> (bit % 8));
  }
  return ipaddr.fromByteArray(bytes);
}

export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  return address.kind() === cidr.address.kind() && address.match(cidr.address, cidr.prefix);
}

/** true when `inner` lies entirely inside `outer` */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.address);
}

/** The number of addresses in a CIDR, as a bigint (IPv6 prefixes can be huge). */
export function cidrSize(cidr: Cidr): bigint {
  const bits = cidr.address.kind() === "ipv4" ? 32 : 128;
  return 1n << BigInt(bits - cidr.prefix);
}

export function addressFromBigint(value: bigint, byteLength: number): string {
  const out = new Array<number>(byteLength);
  let v = value;
  for (let i = byteLength - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return ipaddr.fromByteArray(out).toString();
}
