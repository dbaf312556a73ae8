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
/**
 * At most this many leading candidates enter it. An unfamiliar server leaves hundreds of
 * products alive; with all of them, 2^12 outcomes × every probe × every planning step cost
 * seconds of CPU per session (measured: 2.7 s of a 4.2 s one-host grab against the benchmark's
 * C server, and a survey of 2,000 such hosts at 0.5 sessions/s). The leading 23 go in alone,
 * the rest as one group (see `candidates`).
 */
const MAX_LIVE = 24;
/** The most rules of one probe enumerated jointly (2^n outcomes). */
const MAX_JOINT_RULES = 12;
/** fire probabilities are smoothed, but 0 and 1 would make log-likelihoods infinite */
const EPSILON = 1e-12;

/** The feature names a probe fills: `probe.<name>` and `probe.<name>.…`. */
function probeOf(rule: CompiledRule): string | null {
  const match = /^probe\.([a-z0-9-]+?)(?:\.(?:\d+|ended))?$/.exec(rule.feature);
  return match?.[1] ?? null;
}

/**
 * What every probe's gain is computed from: the view scored once, and its candidates, the
 * leading ones each alone and the rest as one group whose firing probabilities are their
 * posterior-weighted mean (so the tail keeps its mass and, roughly, its behaviour).
 */
interface Candidates {
  scored: ReturnType<Model["score"]>;
  /** each candidate: its classes and their weights within it (one class, weight 1, but the tail) */
  groups: Array<{ classes: string[]; weights: number[] }>;
  prior: Float64Array;
  /** the probes level's temperature: the posterior an answer gives is read at it */
  temperature: number;
  priorEntropy: number;
}

function candidates(model: Model, view: PlannerView): Candidates {
  const scored = model.score(view.protocol, extractFeatures(view));
  const posterior = model.posterior(scored);
  const live = posterior
    .map((p, i) => ({ p, cls: scored.classes[i] ?? "" }))
    .filter((c) => c.p > NEGLIGIBLE)
    .sort((a, b) => b.p - a.p);
  const total = live.reduce((s, c) => s + c.p, 0);
  const head = live.length > MAX_LIVE ? live.slice(0, MAX_LIVE - 1) : live;
  const tail = live.slice(head.length);
  const groups = head.map((c) => ({ classes: [c.cls], weights: [1] }));
  const masses = head.map((c) => c.p / total);
  if (tail.length > 0) {
    const mass = tail.reduce((s, c) => s + c.p, 0);
    groups.push({ classes: tail.map((c) => c.cls), weights: tail.map((c) => c.p / mass) });
    masses.push(mass / total);
  }
  const prior = Float64Array.from(masses);
  return {
    scored,
    groups,
    prior,
    temperature: model.temperature("probes", view.protocol),
    priorEntropy: entropyOf(prior, prior.length, 1),
  };
}

/** P(rule fires | candidate): a group's is its classes' weighted mean. */
function groupFire(model: Model, rule: CompiledRule, group: Candidates["groups"][number]): number {
  let p = 0;
  group.classes.forEach((cls, i) => {
    p += (group.weights[i] as number) * model.fireProbability(rule, cls);
  });
  return p;
}

/** −Σ (w/norm) log2 (w/norm) over the first n weights. */
function entropyOf(weights: Float64Array, n: number, norm: number): number {
  let h = 0;
  for (let i = 0; i < n; i++) {
    const p = (weights[i] as number) / norm;
    if (p > 0) h -= p * Math.log2(p);
  }
  return h;
}

export function expectedGain(model: Model, view: PlannerView, probe: string): number {
  return gainOf(model, candidates(model, view), probe);
}

/**
 * The expected information gain (bits) of a probe: the candidates' entropy now, less its
 * expectation over the joint outcomes of the probe's rules (which of them fire), each outcome
 * weighted by its likelihood under the candidates. Outcomes are walked in Gray-code order, so
 * each differs from the last by one rule and every class's log-likelihood is updated by one
 * addition rather than summed again over every rule.
 */
function gainOf(model: Model, c: Candidates, probe: string): number {
  const rules = c.scored.firings
    .map((f) => f.rule)
    .filter((r) => probeOf(r) === probe)
    .slice(0, MAX_JOINT_RULES);
  const n = c.groups.length;
  if (rules.length === 0 || n === 0) return 0;
  // log-likelihood of the "no rule fires" outcome per class, and what each rule's firing adds
  const logL = new Float64Array(n);
  const flip = rules.map(() => new Float64Array(n));
  c.groups.forEach((group, ci) => {
    rules.forEach((rule, ri) => {
      const p = Math.min(1 - EPSILON, Math.max(EPSILON, groupFire(model, rule, group)));
      logL[ci] = (logL[ci] as number) + Math.log(1 - p);
      (flip[ri] as Float64Array)[ci] = Math.log(p) - Math.log(1 - p);
    });
  });
  const weights = new Float64Array(n);
  let expectedPosteriorEntropy = 0;
  let outcome = 0;
  for (let k = 0; k < 1 << rules.length; k++) {
    if (k > 0) {
      const bit = 31 - Math.clz32(k & -k);
      outcome ^= 1 << bit;
      const sign = outcome & (1 << bit) ? 1 : -1;
      const delta = flip[bit] as Float64Array;
      for (let ci = 0; ci < n; ci++) logL[ci] = (logL[ci] as number) + sign * (delta[ci] as number);
    }
    let pOutcome = 0;
    let norm = 0;
    for (let ci = 0; ci < n; ci++) {
      const prior = c.prior[ci] as number;
      const l = logL[ci] as number;
      pOutcome += prior * Math.exp(l);
      // tempered likelihoods, as the posterior the answer would give is tempered too
      const w = prior * Math.exp(l / c.temperature);
      weights[ci] = w;
      norm += w;
    }
    if (pOutcome === 0 || norm === 0) continue;
    expectedPosteriorEntropy += pOutcome * entropyOf(weights, n, norm);
  }
  return c.priorEntropy - expectedPosteriorEntropy;
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
    const now = candidates(model, view);
    for (const name of options.probes) {
      if (done.has(name)) continue;
      const gain = gainOf(model, now, name);
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
