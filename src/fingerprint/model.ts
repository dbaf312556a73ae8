/**
 * The identification model: naive Bayes over rule firings. For each product class c and rule r,
 * P(r fires | c) is a Beta-smoothed rate learned from labelled records (rules/model.json holds the
 * counts); a rule whose feature is missing says nothing. An explicit "unknown" class stands for
 * every product without rules. The summed log-likelihoods are divided by a temperature learned
 * on held-out folds for the record's evidence level (train.ts), so the posterior is calibrated.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Software } from "../store/schema.js";
import { type EvidenceLevel, evidenceLevel } from "./evidence.js";
import type { Features } from "./features.js";
import { type CompiledRule, loadRules, type ProductRules, rulesDir } from "./rules.js";

export const UNKNOWN = "unknown";

/**
 * Smoothing priors (the only numbers here not learned from data), as Beta pseudo-counts
 * [fired, not fired]. A rule is written for its own product, so before any data it is believed
 * to fire there most of the time (mean 0.8; with n observations the prior weighs as 2.5 of
 * them). Elsewhere a rule's prior is its own pooled off-product rate, learned from every other
 * product's examples (fireProbability); PRIOR_OTHER only smooths that pool (mean 0.01).
 */
export const PRIOR_OWN: readonly [number, number] = [2, 0.5];
export const PRIOR_OTHER: readonly [number, number] = [0.02, 1.98];

/** How many observations the pooled off-product rate weighs as, for a class's own estimate. */
export const OTHER_STRENGTH = 2;

/** Rules with the same signature are the same test, whichever product's file they are in. */
function signatureOf(rule: CompiledRule): string {
  return `${rule.feature}\n${rule.pattern.source}\n${rule.pattern.flags}\n${rule.absent}`;
}

/** Below this calibrated probability the answer is "unknown" (alternatives still listed). */
export const UNKNOWN_THRESHOLD = 0.3;

export const ModelDataSchema = z.object({
  format: z.literal(1),
  trained_at: z.string(),
  examples: z.number(),
  /** softmax temperature fitted on held-out folds, over every evidence level */
  temperature: z.number().positive(),
  /** one temperature per evidence level (evidence.ts), where the data allowed fitting one */
  temperatures: z.record(z.string(), z.number().positive()).optional(),
  /** per rule key ("smtp/postfix.yaml#banner-product"), per class: [times fired, times observed] */
  counts: z.record(z.string(), z.record(z.string(), z.tuple([z.number(), z.number()]))),
  /** held-out figures at training time, for the record */
  calibration: z.record(z.string(), z.number()).optional(),
});
export type ModelData = z.infer<typeof ModelDataSchema>;

export interface Product {
  product: string;
  vendor: string;
  aliases: Set<string>;
  kind: string;
  protocols: Set<string>;
  rules: CompiledRule[];
  ladder: Array<{ range: string; when: string[]; unless: string[] }>;
}

/** smtps → smtp and so on: a product's rules read the same dialogue inside TLS. */
export function baseProtocol(protocol: string): string {
  return protocol.replace(/^(smtp|imap|pop3|http)s$/, "$1");
}

/** The rule files merged by product name (one product may have a file per protocol). */
export function catalogue(files: ProductRules[]): Product[] {
  const byName = new Map<string, Product>();
  for (const f of files) {
    let p = byName.get(f.product);
    if (!p) {
      p = {
        product: f.product,
        vendor: f.vendor,
        aliases: new Set(),
        kind: f.kind,
        protocols: new Set(),
        rules: [],
        ladder: [],
      };
      byName.set(f.product, p);
    }
    for (const alias of f.aliases) p.aliases.add(alias);
    for (const proto of f.protocols) p.protocols.add(baseProtocol(proto));
    p.rules.push(...f.rules);
    const key = (id: string) => `${f.file}#${id}`;
    p.ladder.push(
      ...f.ladder.map((s) => ({ range: s.range, when: s.when.map(key), unless: s.unless.map(key) })),
    );
  }
  return [...byName.values()];
}

/**
 * The class a true product name (the lab's, a fixture's) stands for among a protocol's
 * candidates: the product of that name, else the one listing it as an alias, else the one
 * whose name contains it as whole words ("smtp-server" → "Nodemailer smtp-server", "Dovecot"
 * → "Dovecot submission" on SMTP); "unknown" when none or several do.
 */
export function resolveProduct(products: Product[], protocol: string, name: string): string {
  const base = baseProtocol(protocol);
  const candidates = products.filter((p) => p.protocols.has(base));
  // "Courier-MTA" and "Courier MTA" are one name: case, hyphens and spaces do not count
  const norm = (text: string) =>
    text
      .toLowerCase()
      .replace(/[\s_-]+/g, " ")
      .trim();
  const wanted = norm(name);
  const exact = candidates.filter((p) => norm(p.product) === wanted);
  const alias = candidates.filter((p) => [...p.aliases].some((a) => norm(a) === wanted));
  const words = candidates.filter((p) => ` ${norm(p.product)} `.includes(` ${wanted} `));
  for (const found of [exact, alias, words]) {
    if (found.length === 1 && found[0]) return found[0].product;
    if (found.length > 1) return UNKNOWN;
  }
  return UNKNOWN;
}

/** Whether a rule fires on these features: null when its feature is missing (no evidence). */
export function fires(rule: CompiledRule, features: Features): boolean | null {
  const value = features.get(rule.feature);
  if (value === undefined) return null;
  return rule.pattern.test(value) !== rule.absent;
}

export type Counts = ModelData["counts"];

export interface Scored {
  /** candidate classes (products for this protocol, then "unknown") */
  classes: string[];
  /** log-likelihood per class, before the temperature */
  logLikelihood: number[];
  /** every rule with its firing (null: feature missing) */
  firings: Array<{ rule: CompiledRule; fired: boolean | null }>;
  /** how far the dialogue got: which temperature applies */
  level: EvidenceLevel;
}

export class Model {
  readonly products: Product[];
  private readonly byName: Map<string, Product>;

  constructor(
    files: ProductRules[],
    readonly data: ModelData,
  ) {
    this.products = catalogue(files);
    this.byName = new Map(this.products.map((p) => [p.product, p]));
  }

  product(name: string): Product | undefined {
    return this.byName.get(name);
  }

  /**
   * P(rule fires | class), smoothed. For its own product, toward PRIOR_OWN. For any other
   * class, toward how often the same test fired on every product that does not own it, pooled
   * (empirical Bayes): "Haraka" in a greeting almost never appears elsewhere, "220 2.0.0 Ready
   * to start TLS" often does, and a class with no examples (the unknown class included) is
   * expected to behave like the pooled others rather than like a fixed guess.
   */
  fireProbability(rule: CompiledRule, cls: string): number {
    const [fired, seen] = this.data.counts[rule.key]?.[cls] ?? [0, 0];
    if (rule.product === cls) {
      const [a, b] = PRIOR_OWN;
      return (fired + a) / (seen + a + b);
    }
    const mean = this.pooledOtherRate(rule);
    return (fired + OTHER_STRENGTH * mean) / (seen + OTHER_STRENGTH);
  }

  private readonly pooled = new Map<string, number>();

  /** The rate a test fires on the classes that own no rule with it, smoothed by PRIOR_OTHER. */
  private pooledOtherRate(rule: CompiledRule): number {
    const signature = signatureOf(rule);
    let rate = this.pooled.get(signature);
    if (rate === undefined) {
      const sharing = this.products.flatMap((p) => p.rules).filter((r) => signatureOf(r) === signature);
      const owners = new Set(sharing.map((r) => r.product));
      let fired = 0;
      let seen = 0;
      // the rules of one signature fire together, so any one of them holds the counts
      for (const [cls, [f, s]] of Object.entries(this.data.counts[rule.key] ?? {})) {
        if (owners.has(cls)) continue;
        fired += f;
        seen += s;
      }
      const [a, b] = PRIOR_OTHER;
      rate = (fired + a) / (seen + a + b);
      this.pooled.set(signature, rate);
    }
    return rate;
  }

  private readonly groups = new Map<string, Array<{ rules: CompiledRule[] }>>();

  /**
   * The protocol's rules as independent observations. Rule files are written one product at a
   * time, so the same test (feature, pattern) appears in several files ("220 host ESMTP" for
   * Courier, qmail, Nodemailer, Cisco). Those rules always fire together: counted apart, one
   * fact would weigh four times against every other product. They are read once instead.
   */
  private observations(protocol: string): Array<{ rules: CompiledRule[] }> {
    const base = baseProtocol(protocol);
    let found = this.groups.get(base);
    if (!found) {
      const bySignature = new Map<string, CompiledRule[]>();
      for (const product of this.candidates(base)) {
        for (const rule of product.rules) {
          const signature = signatureOf(rule);
          bySignature.set(signature, [...(bySignature.get(signature) ?? []), rule]);
        }
      }
      found = [...bySignature.values()].map((rules) => ({ rules }));
      this.groups.set(base, found);
    }
    return found;
  }

  candidates(protocol: string): Product[] {
    const base = baseProtocol(protocol);
    return this.products.filter((p) => p.protocols.has(base));
  }

  score(protocol: string, features: Features): Scored {
    const candidates = this.candidates(protocol);
    const classes = [...candidates.map((p) => p.product), UNKNOWN];
    const firings = candidates.flatMap((p) =>
      p.rules.map((rule) => ({ rule, fired: fires(rule, features) })),
    );
    const logLikelihood = classes.map((cls) => {
      let sum = 0;
      for (const group of this.observations(protocol)) {
        const fired = fires(group.rules[0] as CompiledRule, features);
        if (fired === null) continue;
        // a class reads the group through its own rule when it has one (its own prior)
        const rule = group.rules.find((r) => r.product === cls) ?? (group.rules[0] as CompiledRule);
        const p = this.fireProbability(rule, cls);
        sum += Math.log(fired ? p : 1 - p);
      }
      return sum;
    });
    return { classes, logLikelihood, firings, level: evidenceLevel(features) };
  }

  /** The temperature for an evidence level (the overall one where none was fitted). */
  temperature(level: EvidenceLevel): number {
    return this.data.temperatures?.[level] ?? this.data.temperature;
  }

  /** Calibrated probabilities (uniform class prior). */
  posterior(scored: Scored, temperature = this.temperature(scored.level)): number[] {
    return softmax(scored.logLikelihood.map((l) => l / temperature));
  }

  identify(protocol: string, features: Features): Software {
    const scored = this.score(protocol, features);
    const probs = this.posterior(scored);
    const decision = decide(scored.classes, probs);
    const { order } = decision;
    const second = scored.classes[order[1] ?? -1] ?? UNKNOWN;
    const product = this.byName.get(decision.answer);
    // every other candidate at 0.1 % or more (at most ten), and at least three whatever their odds
    const alternatives = order
      .filter((i) => scored.classes[i] !== (product?.product ?? UNKNOWN))
      .filter((i, rank) => rank < 3 || ((probs[i] ?? 0) >= 0.001 && rank < 10))
      .map((i) => ({ product: scored.classes[i] ?? UNKNOWN, probability: round(probs[i] ?? 0) }));
    const versions = product ? versionOf(product, scored, features) : { version: null, range: null };
    return {
      product: product?.product ?? UNKNOWN,
      vendor: product?.vendor ?? null,
      kind: product?.kind ?? null,
      version: versions.version,
      version_range: versions.range,
      confidence: round(decision.confidence),
      alternatives,
      evidence: product ? this.evidence(scored, product.product, second) : [],
    };
  }

  /** The rules that fired for `cls`, each weighed against the runner-up (log-likelihood ratio). */
  evidence(scored: Scored, cls: string, against: string): Software["evidence"] {
    return scored.firings
      .filter((f) => f.fired === true && f.rule.product === cls)
      .map(({ rule }) => ({
        rule: rule.key,
        feature: rule.feature,
        weight: round(Math.log(this.fireProbability(rule, cls) / this.fireProbability(rule, against))),
      }))
      .sort((a, b) => b.weight - a.weight);
  }
}

/**
 * The answer a posterior gives: the top class when it reaches UNKNOWN_THRESHOLD, else
 * "unknown", as sure as the unknown class is probable. Training calibrates exactly this.
 */
export function decide(classes: string[], probs: number[]) {
  const order = probs.map((_, i) => i).sort((i, j) => (probs[j] ?? 0) - (probs[i] ?? 0));
  const top = order[0] ?? 0;
  const topProbability = probs[top] ?? 0;
  if (topProbability >= UNKNOWN_THRESHOLD && classes[top] !== undefined)
    return { answer: classes[top], confidence: topProbability, order };
  return { answer: UNKNOWN, confidence: probs[classes.indexOf(UNKNOWN)] ?? 0, order };
}

function versionOf(product: Product, scored: Scored, features: Features) {
  const fired = new Set(scored.firings.filter((f) => f.fired === true).map((f) => f.rule.key));
  let version: string | null = null;
  let range: string | null = null;
  for (const rule of product.rules) {
    if (!fired.has(rule.key)) continue;
    const value = features.get(rule.feature) ?? "";
    const found = (rule.version ?? rule.pattern).exec(value)?.groups?.version;
    if (found && version === null) version = found;
    if (rule.versionRange && range === null) range = rule.versionRange;
  }
  const step = product.ladder.find(
    (s) => s.when.every((k) => fired.has(k)) && !s.unless.some((k) => fired.has(k)),
  );
  if (step) range = step.range;
  return { version, range };
}

export function softmax(xs: number[]): number[] {
  const max = Math.max(...xs);
  const exps = xs.map((x) => Math.exp(x - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export function modelPath(): string {
  return join(rulesDir(), "model.json");
}

/** An untrained model (priors only): what the rules alone say. */
export function emptyModelData(): ModelData {
  return { format: 1, trained_at: "never", examples: 0, temperature: 1, counts: {} };
}

let cached: Model | undefined;

/** The rules and the trained weights in rules/model.json (priors only when it is missing). */
export function loadModel(): Model {
  if (cached) return cached;
  const file = modelPath();
  const data = existsSync(file)
    ? ModelDataSchema.parse(JSON.parse(readFileSync(file, "utf8")))
    : emptyModelData();
  cached = new Model(loadRules(), data);
  return cached;
}
