/**
 * The scope: the only addresses the engine may connect to. A target outside it gets an
 * `out-of-scope` record and no socket. Special-purpose ranges are out unless a scope CIDR lies
 * inside the range (names it): `--scope 127.77.0.0/16` allows the lab, `--scope 0.0.0.0/0` does
 * not allow 10/8 or 127/8.
 */
import { type Cidr, cidrContains, cidrWithin, type IpAddress, parseCidr, parseIp } from "./cidr.js";
import { InputError } from "./errors.js";
import { SPECIAL_PURPOSE_RANGES } from "./special-ranges.js";

const SPECIAL: ReadonlyArray<{ cidr: Cidr; name: string }> = SPECIAL_PURPOSE_RANGES.map((r) => ({
  cidr: parseCidr(r.cidr),
  name: r.name,
}));

export type ScopeVerdict = { allowed: true } | { allowed: false; reason: string };

export class Scope {
  readonly cidrs: readonly Cidr[];

  constructor(cidrs: readonly Cidr[]) {
    if (cidrs.length === 0) throw new InputError("--scope needs at least one CIDR");
    this.cidrs = cidrs;
  }

  static parse(list: string): Scope {
    const parts = list
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    return new Scope(parts.map(parseCidr));
  }

  check(ip: string | IpAddress): ScopeVerdict {
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

  toString(): string {
    return this.cidrs.map((c) => c.text).join(",");
  }
}
