/**
 * Labelled examples prepared once for training and evaluation: every example's unit firings at
 * every evidence level, and its true class. Counting is then a sum over arrays, so a model
 * trained without one source (or one product) costs a subtraction, not a pass of every regular
 * expression over every record. This is what makes leave-one-source-out affordable.
 */

import { protocolFamily } from "../protocols/registry.js";
import { EVIDENCE_LEVELS, type EvidenceLevel, evidenceLevel, levelKeeps } from "./evidence.js";
import type { Features } from "./features.js";
import { type CountTable, fires, Model, type Product, resolveProduct, UNKNOWN } from "./model.js";
import type { CompiledRule } from "./rules.js";
import type { Unit } from "./units.js";
import { HINT_UNIT, hintExplainers, unitFirings } from "./units.js";

export interface TrainingExample {
  name: string;
  /** examples of one group (one server's records) always share a fold */
  group: string;
  /** where the example's facts come from: leave-one-source-out holds out one at a time */
  source: string;
  product: string;
  protocol: string;
  features: Features;
}

export interface ProtocolData {
  protocol: string;
  classes: string[];
  units: Unit[];
  /** indices into Dataset.examples */
  members: number[];
}

export class Dataset {
  readonly protocols = new Map<string, ProtocolData>();
  /** per example: its class index in its protocol's classes */
  readonly truth: number[] = [];
  /** per example: its class name */
  readonly truthName: string[] = [];
  /** per example: its base protocol */
  readonly protocolOf: string[] = [];
  /** per example, per level: unit firings (1, 0, -1) at that level (what a session that far saw) */
  readonly firings: Array<Record<EvidenceLevel, Int8Array>> = [];
  /** per example: the highest level its evidence reaches */
  readonly reach: EvidenceLevel[] = [];
  /** per example: the names units that fired (indices), and whether its greeting shows a word */
  readonly namesFired: number[][] = [];
  readonly hintWord: Array<boolean | null> = [];
  /** per example: the products whose greeting rules explain its hint word */
  readonly explainedBy: Array<Set<string>> = [];

  constructor(
    readonly products: Product[],
    readonly examples: TrainingExample[],
    transform: (f: Features) => Features = (f) => f,
  ) {
    examples.forEach((e, i) => {
      const base = protocolFamily(e.protocol);
      let pd = this.protocols.get(base);
      if (!pd) {
        const layout = Model.layout(products, base);
        pd = { protocol: base, classes: layout.classes, units: layout.units, members: [] };
        this.protocols.set(base, pd);
      }
      pd.members.push(i);
      this.protocolOf.push(base);
      const cls = resolveProduct(products, base, e.product);
      this.truthName.push(cls);
      this.truth.push(pd.classes.indexOf(cls));
      const features = transform(e.features);
      this.reach.push(evidenceLevel(features));
      const perLevel = {} as Record<EvidenceLevel, Int8Array>;
      const candidates = products.filter((p) => p.protocols.has(base)).flatMap((p) => p.rules);
      // the greeting is kept at every level, so what explains the hint is the same at each
      const explainers = hintExplainers(candidates, features);
      this.explainedBy.push(explainers);
      // each rule is tried once; a level only hides the rules whose feature it does not keep
      const fired = new Map<CompiledRule, boolean | null>();
      const firedOnce = (rule: CompiledRule) => {
        let f = fired.get(rule);
        if (f === undefined) {
          f = fires(rule, features);
          fired.set(rule, f);
        }
        return f;
      };
      for (const level of EVIDENCE_LEVELS) {
        const hint = levelKeeps(level, "hint") ? features.get("hint") : undefined;
        perLevel[level] = unitFirings(
          pd.units,
          (rule) => (levelKeeps(level, rule.feature) ? firedOnce(rule) : null),
          hint,
          explainers.size > 0,
        );
      }
      this.firings.push(perLevel);
      const full = perLevel.probes;
      this.namesFired.push(pd.units.flatMap((u, k) => (u.kind === "names" && full[k] === 1 ? [k] : [])));
      const hint = features.get("hint");
      this.hintWord.push(hint === undefined ? null : hint !== "");
    });
  }

  /** Counts over the examples `include` keeps (full evidence), as the protocol's table. */
  table(protocol: string, include: (i: number) => boolean = () => true): CountTable {
    const pd = this.protocols.get(protocol);
    const units = pd?.units.length ?? 0;
    const C = pd?.classes.length ?? 0;
    const fired = new Float64Array(units * C);
    const seen = new Float64Array(units * C);
    for (const i of pd?.members ?? []) {
      if (!include(i)) continue;
      const c = this.truth[i] ?? C - 1;
      const f = this.firings[i]?.probes;
      if (!f) continue;
      for (let u = 0; u < units; u += 1) {
        const v = f[u];
        if (v === -1) continue;
        seen[u * C + c] = (seen[u * C + c] ?? 0) + 1;
        if (v === 1) fired[u * C + c] = (fired[u * C + c] ?? 0) + 1;
      }
    }
    return { fired, seen };
  }

  private readonly totals = new Map<string, CountTable>();

  /** The table of every example but `members` (a subtraction from the cached total). */
  tableExcluding(protocol: string, members: number[]): CountTable {
    let total = this.totals.get(protocol);
    if (!total) {
      total = this.table(protocol);
      this.totals.set(protocol, total);
    }
    const fired = Float64Array.from(total.fired);
    const seen = Float64Array.from(total.seen);
    const C = this.protocols.get(protocol)?.classes.length ?? 0;
    for (const i of members) {
      if (this.protocolOf[i] !== protocol) continue;
      const c = this.truth[i] ?? C - 1;
      const f = this.firings[i]?.probes as Int8Array;
      for (let u = 0; u < f.length; u += 1) {
        const v = f[u];
        if (v === -1) continue;
        seen[u * C + c] = (seen[u * C + c] ?? 0) - 1;
        if (v === 1) fired[u * C + c] = (fired[u * C + c] ?? 0) - 1;
      }
    }
    return { fired, seen };
  }

  /** Every protocol's table over the kept examples. */
  tables(include: (i: number) => boolean = () => true): Map<string, CountTable> {
    return new Map([...this.protocols.keys()].map((p) => [p, this.table(p, include)]));
  }

  /** The kept examples' counts as rules/model.json stores them (unit key → class → counts). */
  countsJson(include: (i: number) => boolean = () => true): Record<string, Record<string, [number, number]>> {
    const out: Record<string, Record<string, [number, number]>> = {};
    for (const [protocol, pd] of this.protocols) {
      const t = this.table(protocol, include);
      const C = pd.classes.length;
      pd.units.forEach((unit, u) => {
        const perClass: Record<string, [number, number]> = {};
        pd.classes.forEach((cls, c) => {
          const s = t.seen[u * C + c] ?? 0;
          if (s > 0) perClass[cls] = [t.fired[u * C + c] ?? 0, s];
        });
        if (Object.keys(perClass).length) out[unit.key] = perClass;
      });
    }
    return out;
  }

  /**
   * The table of a model that has no rules for `held` (leave-one-product-out): the units of
   * the other products' layout, their counts read from the full table without `held`'s
   * examples, and the open-set unit recomputed where only `held`'s name had fired.
   */
  tableWithout(
    protocol: string,
    held: ReadonlySet<string>,
    others: Product[],
  ): {
    table: CountTable;
    layout: { classes: string[]; units: Unit[] };
    firingsOf: (i: number, level: EvidenceLevel) => Int8Array;
  } {
    const pd = this.protocols.get(protocol);
    if (!pd) throw new Error(`no examples of ${protocol}`);
    const layout = Model.layout(others, protocol);
    const oldIndex = new Map<string, number>();
    pd.units.forEach((u, k) => {
      for (const r of u.rules) oldIndex.set(`rule:${r.key}`, k);
      oldIndex.set(`unit:${u.key}`, k);
    });
    const map = layout.units.map((u) =>
      u.kind === "test"
        ? (oldIndex.get(`rule:${u.rules[0]?.key}`) ?? -1)
        : (oldIndex.get(`unit:${u.key}`) ?? -1),
    );
    const heldNames = new Set(
      pd.units.flatMap((u, k) => ([...u.owners].some((o) => held.has(o)) && u.kind === "names" ? [k] : [])),
    );
    const hintAt = layout.units.findIndex((u) => u.key === HINT_UNIT);
    const firingsOf = (i: number, level: EvidenceLevel): Int8Array => {
      const old = this.firings[i]?.[level] as Int8Array;
      const out = new Int8Array(layout.units.length);
      map.forEach((k, u) => {
        out[u] = k < 0 ? -1 : (old[k] ?? -1);
      });
      if (hintAt >= 0 && old[map[hintAt] ?? -1] !== -1) {
        const named = (this.namesFired[i] ?? []).some((k) => !heldNames.has(k) && (old[k] ?? 0) === 1);
        const explained = [...(this.explainedBy[i] ?? [])].some((p) => !held.has(p));
        out[hintAt] = this.hintWord[i] && !named && !explained ? 1 : 0;
      }
      return out;
    };
    const C = layout.classes.length;
    const fired = new Float64Array(layout.units.length * C);
    const seen = new Float64Array(layout.units.length * C);
    for (const i of pd.members) {
      if (held.has(this.truthName[i] ?? "")) continue;
      const c = layout.classes.indexOf(this.truthName[i] ?? UNKNOWN);
      const f = firingsOf(i, "probes");
      for (let u = 0; u < f.length; u += 1) {
        const v = f[u];
        if (v === -1) continue;
        seen[u * C + c] = (seen[u * C + c] ?? 0) + 1;
        if (v === 1) fired[u * C + c] = (fired[u * C + c] ?? 0) + 1;
      }
    }
    return { table: { fired, seen }, layout, firingsOf };
  }
}
