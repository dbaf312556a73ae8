/**
 * Observation units: what the naive-Bayes model counts as one piece of evidence.
 *
 * - **names:P**: all of product P's self-naming rules (`names: true`) read as one observation,
 *   "the greeting names P", fired when any of them fires. Counted apart, a product with five
 *   shapes of its name would be punished four times whenever it shows one of them.
 * - **a test**: rules with the same feature, pattern, flags and sense, whichever files they are
 *   in (files are written one product at a time, so "220 host ESMTP" appears under several
 *   products): one observation, owned by every product that has it.
 * - **hint-unexplained**: the greeting shows a product word (hint.ts) and no product's names
 *   rule fired: evidence for the "unknown" class, the open set.
 */

import { PROTOCOL_DESCRIPTIONS } from "../protocols/registry.js";
import type { CompiledRule } from "./rules.js";

export const HINT_UNIT = "model#hint-unexplained";

export interface Unit {
  /** stable key for rules/model.json: "names:Sendmail", a rule's key, or HINT_UNIT */
  key: string;
  kind: "names" | "test" | "hint";
  rules: CompiledRule[];
  /** the classes this unit was written for (products; "unknown" for the hint unit) */
  owners: Set<string>;
}

/** A product as units.ts sees it. */
export interface UnitProduct {
  product: string;
  rules: CompiledRule[];
}

function signatureOf(rule: CompiledRule): string {
  return `${rule.feature}\n${rule.pattern.source}\n${rule.pattern.flags}\n${rule.absent}`;
}

/** The units of a protocol's candidate products, in a stable order. */
export function buildUnits(products: UnitProduct[], unknown: string): Unit[] {
  const units: Unit[] = [];
  const bySignature = new Map<string, Unit>();
  for (const product of products) {
    const names = product.rules.filter((r) => r.names);
    if (names.length)
      units.push({
        key: `names:${product.product}`,
        kind: "names",
        rules: names,
        owners: new Set([product.product]),
      });
    for (const rule of product.rules) {
      if (rule.names) continue;
      const signature = signatureOf(rule);
      const found = bySignature.get(signature);
      if (found) {
        found.rules.push(rule);
        found.owners.add(rule.product);
        continue;
      }
      const unit: Unit = { key: rule.key, kind: "test", rules: [rule], owners: new Set([rule.product]) };
      bySignature.set(signature, unit);
      units.push(unit);
    }
  }
  units.push({ key: HINT_UNIT, kind: "hint", rules: [], owners: new Set([unknown]) });
  return units;
}

/** How a rule fired on one record: true, false, or null when its feature is missing. */
export type RuleLookup = (rule: CompiledRule) => boolean | null;

/** The greeting features a hint is read from (features.ts). */
const GREETINGS = new Set(PROTOCOL_DESCRIPTIONS.map((d) => d.hintFeature));

/**
 * The products whose greeting rules explain the hint: a rule that fired on the greeting and
 * whose match contains the hint word ("ESMTP FooMail" explains "FooMail"; "^220 \S+ ESMTP" does
 * not). A product's own shape explains its word even where no rule of it says `names`.
 */
export function hintExplainers(rules: CompiledRule[], features: Map<string, string>): Set<string> {
  const hint = features.get("hint");
  const out = new Set<string>();
  if (!hint) return out;
  const word = hint.toLowerCase();
  for (const rule of rules) {
    if (rule.absent || !GREETINGS.has(rule.feature) || out.has(rule.product)) continue;
    const value = features.get(rule.feature);
    if (value === undefined) continue;
    const match = rule.pattern.exec(value);
    if (match?.[0].toLowerCase().includes(word)) out.add(rule.product);
  }
  return out;
}

/**
 * 1 fired, 0 did not, -1 unknown (feature missing), one entry per unit. `explained`: some
 * product's greeting rule explains the hint (hintExplainers).
 */
export function unitFirings(
  units: Unit[],
  lookup: RuleLookup,
  hint: string | undefined,
  explained = false,
): Int8Array {
  const out = new Int8Array(units.length);
  let anyName = false;
  let hintAt = -1;
  units.forEach((unit, i) => {
    if (unit.kind === "hint") {
      hintAt = i;
      return;
    }
    if (unit.kind === "test") {
      const fired = lookup(unit.rules[0] as CompiledRule);
      out[i] = fired === null ? -1 : fired ? 1 : 0;
      return;
    }
    let seen = false;
    let fired = false;
    for (const rule of unit.rules) {
      const f = lookup(rule);
      if (f === null) continue;
      seen = true;
      if (f) {
        fired = true;
        break;
      }
    }
    out[i] = !seen ? -1 : fired ? 1 : 0;
    if (fired) anyName = true;
  });
  if (hintAt >= 0) out[hintAt] = hint === undefined ? -1 : hint !== "" && !anyName && !explained ? 1 : 0;
  return out;
}
