/**
 * Adaptive probing: after the main session, send the probe whose answer is expected to tell the
 * leading candidates apart best (expected information gain under the model's learned firing
 * rates), and stop as soon as the leader is probable enough or no probe is worth a connection.
 */
import type { PlannerView, ProbePlanner } from "../protocols/types.js";
import { extractFeatures } from "./features.js";
import type { Model } from "./model.js";
import type { CompiledRule } from "./rules.js";

export interface PlannerOptions {
  /** stop when the leader's calibrated probability reaches this */
  threshold: number;
  /** probes the planner may choose from (the catalogue's names) */
  probes: readonly string[];
  /** a probe must be expected to gain at least this many bits to be worth a connection */
  minGainBits: number;
  /** at most this many planned probes per record (the protocol caps it at 4 as well) */
  maxProbes: number;
  /** told of each decision (for -vvv) */
  trace?: (message: string) => void;
}

export const PLANNER_DEFAULTS = { threshold: 0.95, minGainBits: 0.05, maxProbes: 4 } as const;

/** Candidates below this posterior are left out of the gain computation (they barely move it). */
const NEGLIGIBLE = 1e-4;
/** The most rules of one probe enumerated jointly (2^n outcomes). */
const MAX_JOINT_RULES = 12;

const entropy = (ps: number[]) => -ps.reduce((s, p) => (p > 0 ? s + p * Math.log2(p) : s), 0);

/** The feature names a probe fills: `probe.<name>` and `probe.<name>.…`. */
function probeOf(rule: CompiledRule): string | null {
  const match = /^probe\.([a-z0-9-]+?)(?:\.(?:\d+|ended))?$/.exec(rule.feature);
  return match?.[1] ?? null;
}

export function expectedGain(model: Model, view: PlannerView, probe: string): number {
  const scored = model.score(view.protocol, extractFeatures(view));
  const posterior = model.posterior(scored);
  const live = posterior.map((p, i) => ({ p, cls: scored.classes[i] ?? "" })).filter((c) => c.p > NEGLIGIBLE);
  const total = live.reduce((s, c) => s + c.p, 0);
  const prior = live.map((c) => c.p / total);
  const rules = scored.firings
    .map((f) => f.rule)
    .filter((r) => probeOf(r) === probe)
    .slice(0, MAX_JOINT_RULES);
  if (rules.length === 0) return 0;
  // likelihood of each joint outcome (which of the probe's rules fire) per live class
  // the posterior after the probe is read at the probes level's temperature
  const t = model.temperature("probes", view.protocol);
  const fire = live.map((c) => rules.map((r) => model.fireProbability(r, c.cls)));
  let expectedPosteriorEntropy = 0;
  for (let outcome = 0; outcome < 1 << rules.length; outcome += 1) {
    // tempered likelihoods, as the posterior the answer would give is tempered too
    const joint = live.map((_, ci) => {
      let logL = 0;
      rules.forEach((_, ri) => {
        const p = fire[ci]?.[ri] ?? 0.5;
        logL += Math.log(outcome & (1 << ri) ? p : 1 - p);
      });
      return logL;
    });
    const weights = prior.map((p, ci) => p * Math.exp((joint[ci] ?? 0) / t));
    const pOutcome = prior.reduce((s, p, ci) => s + p * Math.exp(joint[ci] ?? 0), 0);
    const norm = weights.reduce((a, b) => a + b, 0);
    if (pOutcome === 0 || norm === 0) continue;
    expectedPosteriorEntropy += pOutcome * entropy(weights.map((w) => w / norm));
  }
  return entropy(prior) - expectedPosteriorEntropy;
}

/** The top candidate's probability for what the session has seen so far. */
export function leader(model: Model, view: PlannerView): { product: string; probability: number } {
  const scored = model.score(view.protocol, extractFeatures(view));
  const posterior = model.posterior(scored);
  const top = posterior.indexOf(Math.max(...posterior));
  return { product: scored.classes[top] ?? "unknown", probability: posterior[top] ?? 0 };
}

export function probePlanner(model: Model, options: PlannerOptions): ProbePlanner {
  return (view) => {
    const done = new Set(view.smtp?.probes.map((p) => p.name) ?? []);
    const planned = [...done].filter((name) => options.probes.includes(name)).length;
    const lead = leader(model, view);
    if (lead.probability >= options.threshold || planned >= options.maxProbes) {
      options.trace?.(`planner: stop (${lead.product} ${lead.probability.toFixed(3)}, ${planned} probe(s))`);
      return null;
    }
    let best: { name: string; gain: number } | null = null;
    for (const name of options.probes) {
      if (done.has(name)) continue;
      const gain = expectedGain(model, view, name);
      if (gain >= options.minGainBits && (best === null || gain > best.gain)) best = { name, gain };
    }
    options.trace?.(
      best
        ? `planner: ${lead.product} at ${lead.probability.toFixed(3)}; next ${best.name} (${best.gain.toFixed(3)} bits)`
        : `planner: ${lead.product} at ${lead.probability.toFixed(3)}; no probe is worth a connection`,
    );
    return best?.name ?? null;
  };
}
