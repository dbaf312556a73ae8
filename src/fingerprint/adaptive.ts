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
/** A branch of outcomes less probable than this is not split further (see gainOf). */
const PRUNE = 1e-3;
/** fire probabilities are smoothed, but 0 and 1 would make log-likelihoods infinite */
const EPSILON = 1e-12;

/** Each rule's probe, worked out once: a decision asks it of every firing rule for every probe. */
const probeOfRule = new WeakMap<CompiledRule, string | null>();

/** The feature names a probe fills: `probe.<name>` and `probe.<name>.…`. */
function probeOf(rule: CompiledRule): string | null {
  let probe = probeOfRule.get(rule);
  if (probe === undefined) {
    probe = /^probe\.([a-z0-9-]+?)(?:\.(?:\d+|ended))?$/.exec(rule.feature)?.[1] ?? null;
    probeOfRule.set(rule, probe);
  }
  return probe;
}

/**
 * What every probe's gain is computed from: the view scored once, and its candidates, the
 * leading ones each alone and the rest as one group whose firing probabilities are their
 * posterior-weighted mean (so the tail keeps its mass and, roughly, its behaviour).
 */
interface Candidates {
  scored: ReturnType<Model["score"]>;
  /** each candidate: its classes (indexes into scored.classes) and their weights within it (one class, weight 1, but the tail) */
  groups: Array<{ classes: number[]; weights: number[] }>;
  /** the leading class and its posterior */
  leader: { product: string; probability: number };
  prior: Float64Array;
  /** the probes level's temperature: the posterior an answer gives is read at it */
  temperature: number;
  priorEntropy: number;
}

function candidates(model: Model, view: PlannerView): Candidates {
  const scored = model.score(view.protocol, extractFeatures(view));
  const posterior = model.posterior(scored);
  const live = posterior
    .map((p, i) => ({ p, cls: i }))
    .filter((c) => c.p > NEGLIGIBLE)
    .sort((a, b) => b.p - a.p);
  const top = posterior.indexOf(Math.max(...posterior));
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
    leader: { product: scored.classes[top] ?? "unknown", probability: posterior[top] ?? 0 },
    prior,
    temperature: model.temperature("probes", view.protocol),
    priorEntropy: entropyOf(prior, prior.length, 1),
  };
}

/** P(rule fires | candidate): a group's is its classes' weighted mean. */
function groupFire(row: Float64Array | null, group: Candidates["groups"][number]): number {
  if (!row) return 0.5;
  let p = 0;
  for (let i = 0; i < group.classes.length; i++)
    p += (group.weights[i] as number) * (row[group.classes[i] as number] ?? 0.5);
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

/** `prune`: see gainOf (0 walks every outcome: the exact figure, for tests) */
export function expectedGain(model: Model, view: PlannerView, probe: string, prune = PRUNE): number {
  return gainOf(model, candidates(model, view), probe, prune);
}

/**
 * The expected information gain (bits) of a probe: the candidates' entropy now, less its
 * expectation over the joint outcomes of the probe's rules (which of them fire), each outcome
 * weighted by its likelihood under the candidates.
 *
 * The outcomes are a binary tree over the rules (each fires or does not), walked depth first
 * with every candidate's log-likelihood carried down, one addition per candidate per node. A
 * branch whose probability falls below PRUNE is not split further: it counts as one outcome,
 * with the posterior its prefix gives. That can only lower the gain (knowing more never raises
 * the expected entropy), by at most PRUNE × log2(candidates) per branch; and since most rules
 * seldom fire for most products, most of the 2^12 outcomes are never visited (measured on an
 * unfamiliar server's view: 35 ms → 3 ms per planning decision, scoring included; the exact
 * walk took seconds per session on every core and stalled the event loop past replies'
 * deadlines).
 */
function gainOf(model: Model, c: Candidates, probe: string, prune = PRUNE): number {
  const rules = c.scored.firings
    .map((f) => f.rule)
    .filter((r) => probeOf(r) === probe)
    .slice(0, MAX_JOINT_RULES);
  const n = c.groups.length;
  if (rules.length === 0 || n === 0) return 0;
  const logFire = rules.map(() => new Float64Array(n));
  const logMiss = rules.map(() => new Float64Array(n));
  const rows = rules.map((rule) => model.fireRow(rule));
  c.groups.forEach((group, gi) => {
    rows.forEach((row, ri) => {
      const p = Math.min(1 - EPSILON, Math.max(EPSILON, groupFire(row, group)));
      (logFire[ri] as Float64Array)[gi] = Math.log(p);
      (logMiss[ri] as Float64Array)[gi] = Math.log(1 - p);
    });
  });
  // one row of log-likelihoods per depth: the walk reuses them, no allocation per node
  const levels = Array.from({ length: rules.length + 1 }, () => new Float64Array(n));
  const weights = new Float64Array(n);
  let expectedPosteriorEntropy = 0;
  const outcome = (logL: Float64Array, mass: number) => {
    let norm = 0;
    for (let gi = 0; gi < n; gi++) {
      // tempered likelihoods, as the posterior the answer would give is tempered too
      const w = (c.prior[gi] as number) * Math.exp((logL[gi] as number) / c.temperature);
      weights[gi] = w;
      norm += w;
    }
    if (mass > 0 && norm > 0) expectedPosteriorEntropy += mass * entropyOf(weights, n, norm);
  };
  const visit = (depth: number) => {
    const here = levels[depth] as Float64Array;
    let mass = 0;
    for (let gi = 0; gi < n; gi++) mass += (c.prior[gi] as number) * Math.exp(here[gi] as number);
    if (depth === rules.length || mass < prune) {
      outcome(here, mass);
      return;
    }
    const next = levels[depth + 1] as Float64Array;
    for (const branch of [logMiss[depth] as Float64Array, logFire[depth] as Float64Array]) {
      for (let gi = 0; gi < n; gi++) next[gi] = (here[gi] as number) + (branch[gi] as number);
      visit(depth + 1);
    }
  };
  visit(0);
  return c.priorEntropy - expectedPosteriorEntropy;
}

export function probePlanner(model: Model, options: PlannerOptions): ProbePlanner {
  return (view) => {
    const done = new Set(view.smtp?.probes.map((p) => p.name) ?? []);
    const planned = [...done].filter((name) => options.probes.includes(name)).length;
    const now = candidates(model, view);
    const lead = now.leader;
    if (lead.probability >= options.threshold || planned >= options.maxProbes) {
      options.trace?.(`planner: stop (${lead.product} ${lead.probability.toFixed(3)}, ${planned} probe(s))`);
      return null;
    }
    let best: { name: string; gain: number } | null = null;
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
