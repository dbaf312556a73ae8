/**
 * The prior re-estimated from a run's own records (docs/rules.md, "Priors"). The world prior says
 * how common each product is on the Internet at large; a survey of one country, one hosting
 * company or one list of domains meets another mix. Expectation-maximisation over the run's
 * records finds the mix that best explains them: each record's tempered likelihoods stay fixed,
 * and the class weights are re-fitted until they agree with the posteriors they produce. A
 * record whose evidence is certain counts as one vote for its product; an ambiguous one is
 * shared out by its posterior, so it is weighed against what this survey actually found. The
 * world prior enters as a Dirichlet anchor worth ANCHOR records, so a small run stays near it.
 */

import { protocolFamily } from "../protocols/registry.js";
import type { ScanRecord } from "../store/schema.js";
import { identifiable, recordFeatures } from "./identify.js";
import type { Model } from "./model.js";

/** How many records the world prior weighs as against the run's own. */
export const ANCHOR = 20;
/** Classes kept per record (the rest have negligible posterior). */
const TOP = 12;
const ITERATIONS = 100;

interface Kept {
  classes: Int32Array;
  logLikelihood: Float64Array;
}

export interface PriorEstimate {
  protocol: string;
  classes: string[];
  world: Float64Array;
  run: Float64Array;
  records: number;
}

export class PriorEstimator {
  private readonly kept = new Map<string, Kept[]>();

  constructor(private readonly model: Model) {}

  add(record: ScanRecord): void {
    if (!identifiable(record)) return;
    const protocol = protocolFamily(record.protocol);
    const scored = this.model.score(protocol, recordFeatures(record));
    const t = this.model.temperature(scored.level, protocol);
    const tempered = scored.logLikelihood.map((l) => l / t);
    const prior = this.model.protocolModel(protocol).logPrior;
    // the classes that could matter under any prior: the best by likelihood and by posterior
    const byPosterior = tempered.map((l, i) => [l + (prior[i] ?? 0), i] as const).sort((a, b) => b[0] - a[0]);
    const byLikelihood = tempered.map((l, i) => [l, i] as const).sort((a, b) => b[0] - a[0]);
    const pick = [
      ...new Set([...byPosterior.slice(0, TOP / 2), ...byLikelihood.slice(0, TOP / 2)].map((x) => x[1])),
    ];
    const list = this.kept.get(protocol) ?? [];
    list.push({
      classes: Int32Array.from(pick),
      logLikelihood: Float64Array.from(pick, (i) => tempered[i] ?? 0),
    });
    this.kept.set(protocol, list);
  }

  /** The re-estimated prior of every protocol that had records. */
  fit(): PriorEstimate[] {
    const out: PriorEstimate[] = [];
    for (const [protocol, records] of this.kept) {
      const pm = this.model.protocolModel(protocol);
      const world = pm.logPrior.map(Math.exp);
      let pi = Float64Array.from(world);
      for (let k = 0; k < ITERATIONS; k += 1) {
        const next = world.map((w) => ANCHOR * w);
        for (const r of records) {
          let max = Number.NEGATIVE_INFINITY;
          const w = new Float64Array(r.classes.length);
          r.classes.forEach((c, j) => {
            w[j] = (r.logLikelihood[j] ?? 0) + Math.log(Math.max(pi[c] ?? 0, 1e-300));
            max = Math.max(max, w[j] ?? 0);
          });
          let total = 0;
          for (let j = 0; j < w.length; j += 1) {
            w[j] = Math.exp((w[j] ?? 0) - max);
            total += w[j] ?? 0;
          }
          r.classes.forEach((c, j) => {
            next[c] = (next[c] ?? 0) + (w[j] ?? 0) / total;
          });
        }
        const sum = next.reduce((a, b) => a + b, 0);
        const normalised = next.map((x) => x / sum);
        const change = normalised.reduce((d, x, i) => d + Math.abs(x - (pi[i] ?? 0)), 0);
        pi = normalised;
        if (change < 1e-7) break;
      }
      out.push({ protocol, classes: pm.classes, world, run: pi, records: records.length });
    }
    return out;
  }
}

/** Re-estimates the prior from the records and installs it in the model (runPriors). */
export async function reestimatePrior(
  model: Model,
  records: AsyncIterable<ScanRecord>,
): Promise<PriorEstimate[]> {
  const estimator = new PriorEstimator(model);
  for await (const record of records) estimator.add(record);
  const estimates = estimator.fit();
  for (const e of estimates) model.runPriors.set(e.protocol, e.run);
  return estimates;
}

/** The classes that matter in an estimate (either prior ≥ 0.5 %), largest run share first. */
export function priorRows(e: PriorEstimate, min = 0.005) {
  return e.classes
    .map((product, i) => ({ product, world: e.world[i] ?? 0, run: e.run[i] ?? 0 }))
    .filter((r) => r.world >= min || r.run >= min)
    .sort((a, b) => b.run - a.run);
}
