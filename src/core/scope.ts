/**
 * The scope: the only addresses the engine may connect to. A target outside it gets an
 * `out-of-scope` record and no socket. Special-purpose ranges are out unless a scope CIDR lies
 * inside the range (names it): `--scope 127.77.0.0/16` allows the lab, `--scope 0.0.0.0/0` does
 * not allow 10/8 or 127/8.
 */
import { type Cidr, cidrContains, cidrWithin, type IpAddress, parseCidr, parseIp } from "./cidr.js";
import { InputError } from "./errors.js";
import { parseV4Number } from "./ipv4.js";
import { SPECIAL_PURPOSE_RANGES } from "./special-ranges.js";

const SPECIAL: ReadonlyArray<{ cidr: Cidr; name: string }> = SPECIAL_PURPOSE_RANGES.map((r) => ({
  cidr: parseCidr(r.cidr),
  name: r.name,
}));

export type ScopeVerdict = { allowed: true } | { allowed: false; reason: string };

/** An IPv4 CIDR as its first and last address, unsigned 32-bit. */
interface V4Range {
  first: number;
  last: number;
}

function v4Range(cidr: Cidr): V4Range | null {
  if (cidr.address.kind() !== "ipv4") return null;
  const bytes = cidr.address.toByteArray();
  const first =
    (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
  return { first, last: first + 2 ** (32 - cidr.prefix) - 1 };
}

const SPECIAL_V4 = SPECIAL.map((r) => ({ range: v4Range(r.cidr), cidr: r.cidr, name: r.name })).filter(
  (r): r is { range: V4Range; cidr: Cidr; name: string } => r.range !== null,
);

export class Scope {
  readonly cidrs: readonly Cidr[];

  /** the IPv4 CIDRs as ranges: a dotted quad is checked on them without parsing (once per connect) */
  private readonly v4: readonly V4Range[];

  constructor(cidrs: readonly Cidr[]) {
    if (cidrs.length === 0) throw new InputError("--scope needs at least one CIDR");
    this.cidrs = cidrs;
    this.v4 = cidrs.map(v4Range).filter((r): r is V4Range => r !== null);
  }

  static parse(list: string): Scope {
    const parts = list
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    return new Scope(parts.map(parseCidr));
  }

  check(ip: string | IpAddress): ScopeVerdict {
    // no leading zeros: ipaddr.js (the general path) reads "010" as octal, and both must agree
    const quad = typeof ip === "string" ? parseV4Number(ip, false) : undefined;
    if (quad !== undefined) return this.checkV4(quad);
    const address = typeof ip === "string" ? parseIp(ip) : ip;
    const within = this.cidrs.filter((c) => cidrContains(c, address));
    if (within.length === 0) return { allowed: false, reason: "outside --scope" };
    const special = SPECIAL.find((r) => cidrContains(r.cidr, address));
    if (special && !within.some((c) => cidrWithin(c, special.cidr))) {
      return {
        allowed: false,
        reason: `special-purpose range ${special.cidr.text} (${special.name}) not named by --scope`,
      };
    }
    return { allowed: true };
  }

  /** check() for a dotted quad, on numbers: the same rules (an IPv4 address is only ever in IPv4 CIDRs) */
  private checkV4(address: number): ScopeVerdict {
    const within = this.v4.filter((r) => r.first <= address && address <= r.last);
    if (within.length === 0) return { allowed: false, reason: "outside --scope" };
    const special = SPECIAL_V4.find((r) => r.range.first <= address && address <= r.range.last);
    if (special && !within.some((r) => special.range.first <= r.first && r.last <= special.range.last)) {
      return {
        allowed: false,
        reason: `special-purpose range ${special.cidr.text} (${special.name}) not named by --scope`,
      };
    }
    return { allowed: true };
  }

  toString(): string {
    return this.cidrs.map((c) => c.text).join(",");
  }
}
