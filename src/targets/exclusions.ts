/**
 * What target generation never yields: the IANA special-purpose ranges (unless --scope names
 * one, by the same rule as Scope.check) and the opt-out list given with --exclude (zmap
 * blocklist format). An `Exclusion` cuts these out of range sets and tests single addresses,
 * and counts what it dropped for each reason, so the CLI can say what it left out.
 */
import { readFile } from "node:fs/promises";
import { cidrWithin, parseCidr } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import type { Scope } from "../core/scope.js";
import { SPECIAL_PURPOSE_RANGES } from "../core/special-ranges.js";
import { parseAddressValue, parseV4Range } from "./address-value.js";
import { type AddressSpace, addCidrToSpace, emptySpace, subtractSpace } from "./range-set.js";

export type ExclusionKind = "special-purpose" | "exclude";

export interface ExclusionRule {
  kind: ExclusionKind;
  /** the special-purpose range's name ("loopback", ...) or "--exclude" */
  reason: string;
  space: AddressSpace;
}

/**
 * The special-purpose ranges as one rule per name (e.g. the three RFC 1918 blocks together),
 * minus every --scope CIDR that lies inside the range: `--scope 127.77.0.0/16` lets
 * 127.77.0.0/16 through and keeps the rest of 127/8 out; `--scope 0.0.0.0/0` names no special
 * range, so all of them stay out.
 */
export function specialPurposeExclusion(scope?: Scope): ExclusionRule[] {
  const byName = new Map<string, ExclusionRule>();
  for (const { cidr: text, name } of SPECIAL_PURPOSE_RANGES) {
    const cidr = parseCidr(text);
    const rule = byName.get(name) ?? { kind: "special-purpose", reason: name, space: emptySpace() };
    byName.set(name, rule);
    const range = emptySpace();
    addCidrToSpace(range, cidr);
    const named = emptySpace();
    for (const allowed of scope?.cidrs ?? []) {
      if (cidrWithin(allowed, cidr)) addCidrToSpace(named, allowed);
    }
    const kept = subtractSpace(range, named);
    rule.space.v4.addSet(kept.v4);
    rule.space.v6.addSet(kept.v6);
  }
  for (const rule of byName.values()) {
    rule.space.v4.freeze();
    rule.space.v6.freeze();
  }
  return [...byName.values()];
}

/**
 * An opt-out list: one address or CIDR a line, `#` starts a comment (whole-line or trailing),
 * blank lines are skipped. Throws InputError naming FILE:LINE for a bad line, or the file if it
 * cannot be read.
 */
export async function loadExcludeFile(path: string): Promise<ExclusionRule> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InputError(`cannot read exclude file ${path}: ${code}`);
  }
  return { kind: "exclude", reason: "--exclude", space: parseExcludeList(text, path) };
}

/** The parsing half of loadExcludeFile, for text already in memory; `source` names it in errors. */
export function parseExcludeList(text: string, source: string): AddressSpace {
  const space = emptySpace();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = (lines[i] as string).indexOf("#");
    const entry = (hash >= 0 ? (lines[i] as string).slice(0, hash) : (lines[i] as string)).trim();
    if (entry === "") continue;
    // the common case, IPv4, without ipaddr.js (whose parseCIDR tries IPv6 first and throws)
    const v4 = parseV4Range(entry);
    if (v4 !== undefined) {
      space.v4.addNumbers(v4.first, v4.last);
      continue;
    }
    try {
      addCidrToSpace(space, entry);
    } catch (error) {
      throw new InputError(`${source}:${i + 1}: ${(error as Error).message}`);
    }
  }
  space.v4.freeze();
  space.v6.freeze();
  return space;
}

export interface ExclusionCounts {
  /** addresses dropped for being in a special-purpose range */
  specialPurpose: bigint;
  /** addresses dropped for being on the --exclude list (and in no special-purpose range) */
  excluded: bigint;
  /** the same, by reason ("loopback", "private (RFC 1918)", "--exclude", ...) */
  byReason: Map<string, bigint>;
}

/**
 * Rules applied in order; an address is counted once, under the first rule that drops it
 * (special-purpose before --exclude when built by `Exclusion.build`).
 */
export class Exclusion {
  readonly rules: readonly ExclusionRule[];
  private readonly dropped = new Map<string, bigint>();
  private readonly kindOf = new Map<string, ExclusionKind>();

  constructor(rules: readonly ExclusionRule[]) {
    this.rules = rules;
  }

  /** The special-purpose ranges (less what --scope names) and every --exclude file. */
  static async build(options: { scope?: Scope; excludeFiles?: readonly string[] } = {}): Promise<Exclusion> {
    const rules = specialPurposeExclusion(options.scope);
    for (const file of options.excludeFiles ?? []) rules.push(await loadExcludeFile(file));
    return new Exclusion(rules);
  }

  /** The space without anything the rules drop; counts what went. */
  apply(space: AddressSpace): AddressSpace {
    let rest = space;
    for (const rule of this.rules) {
      const before = rest.v4.size() + rest.v6.size();
      rest = subtractSpace(rest, rule.space);
      this.count(rule, before - rest.v4.size() - rest.v6.size());
    }
    return rest;
  }

  /**
   * The reason a single address is dropped, or undefined if it is kept (counted when dropped).
   * Bad text is an InputError.
   */
  drops(ip: string): string | undefined {
    const { family, value } = parseAddressValue(ip);
    for (const rule of this.rules) {
      const set = family === 4 ? rule.space.v4 : rule.space.v6;
      if (family === 4 ? set.containsNumber(Number(value)) : set.contains(value)) {
        this.count(rule, 1n);
        return rule.reason;
      }
    }
    return undefined;
  }

  counts(): ExclusionCounts {
    let specialPurpose = 0n;
    let excluded = 0n;
    for (const [reason, n] of this.dropped) {
      if (this.kindOf.get(reason) === "special-purpose") specialPurpose += n;
      else excluded += n;
    }
    return { specialPurpose, excluded, byReason: new Map(this.dropped) };
  }

  /** "dropped N addresses in special-purpose ranges, M on the --exclude list" */
  summary(): string {
    const { specialPurpose, excluded } = this.counts();
    return `dropped ${specialPurpose} addresses in special-purpose ranges, ${excluded} on the --exclude list`;
  }

  private count(rule: ExclusionRule, n: bigint): void {
    if (n === 0n) return;
    this.dropped.set(rule.reason, (this.dropped.get(rule.reason) ?? 0n) + n);
    this.kindOf.set(rule.reason, rule.kind);
  }
}
