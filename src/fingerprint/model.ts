/**
 * The identification model: naive Bayes over observation units (units.ts: a product's
 * self-naming rules read as one, repeated tests read once, and the open-set "hint unexplained"
 * unit). For each class c and unit u, P(u fires | c) is a Beta-smoothed rate learned from
 * labelled records (rules/model.json holds the counts); a unit whose feature is missing says
 * nothing. The summed log-likelihoods are divided by a temperature fitted on held-out folds for
 * the record's evidence level (train.ts), then weighed by the prior: the world's (priors.ts,
 * rules/priors.yaml) or, during `survey` and `report`, the one re-estimated from the run's own
 * records (prior-em.ts). An explicit "unknown" class stands for every product without rules.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DEFAULT_PROTOCOL, protocolFamily } from "../protocols/registry.js";
import type { Software } from "../store/schema.js";
import { type EvidenceLevel, evidenceLevel } from "./evidence.js";
import type { Features } from "./features.js";
import { classPrior, loadPriors, type PriorsFile, priorOf } from "./priors.js";
import { type CompiledRule, loadRules, type ProductRules, rulesDir } from "./rules.js";
import { buildUnits, hintExplainers, type Unit, unitFirings } from "./units.js";

export const UNKNOWN = "unknown";

/**
 * Smoothing priors (the only numbers here not learned from data), as Beta pseudo-counts
 * [fired, not fired]. A product's names unit is believed, before data, to fire on 80 % of its
 * greetings (some are stripped). Any other rule is only a shape the product may show: 50 %, weak,
 * so that a variant rule that does not fire (a Debian suffix on a Red Hat build) costs little
 * until data says otherwise. Elsewhere a unit's prior is its own pooled off-owner rate, learned
 * from every other class's examples; PRIOR_OTHER only smooths that pool (mean 0.01).
 */
export const PRIOR_NAMES: readonly [number, number] = [4, 1];
export const PRIOR_OWN: readonly [number, number] = [1, 1];
export const PRIOR_HINT: readonly [number, number] = [2, 1];
export const PRIOR_OTHER: readonly [number, number] = [0.02, 1.98];
/** The `unknown` class's pool, over products rather than examples (mean 0.02, weight of 10). */
export const UNKNOWN_POOL: readonly [number, number] = [0.2, 9.8];

/** How many observations the pooled off-owner rate weighs as, for a class's own estimate. */
export const OTHER_STRENGTH = 2;

/** Below this calibrated probability the answer is "unknown" (alternatives still listed). */
export const UNKNOWN_THRESHOLD = 0.3;

const P_MIN = 1e-4;

export const ModelDataSchema = z.object({
  format: z.literal(2),
  trained_at: z.string(),
  examples: z.number(),
  /** softmax temperature fitted on held-out folds, over every evidence level */
  temperature: z.number().positive(),
  /** one temperature per evidence level (evidence.ts), where the data allowed fitting one */
  temperatures: z.record(z.string(), z.number().positive()).optional(),
  /** every rule key ("smtp/postfix.yaml#banner-product") the counts were learned with */
  rules: z.array(z.string()),
  /** per unit key (units.ts), per class: [times fired, times observed] */
  counts: z.record(z.string(), z.record(z.string(), z.tuple([z.number(), z.number()]))),
  /** held-out figures at training time, for the record */
  calibration: z.record(z.string(), z.number()).optional(),
});
export type ModelData = z.infer<typeof ModelDataSchema>;
export type Counts = ModelData["counts"];

export interface Product {
  product: string;
  vendor: string;
  aliases: Set<string>;
  kind: string;
  /** the family the product's first file names (itself when none) */
  family: string;
  /** products whose code answers for this one (names as written, resolved by the reader) */
  builtOn: Set<string>;
  protocols: Set<string>;
  rules: CompiledRule[];
  ladder: Array<{ range: string; when: string[]; unless: string[] }>;
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
        family: f.family,
        builtOn: new Set(),
        protocols: new Set(),
        rules: [],
        ladder: [],
      };
      byName.set(f.product, p);
    }
    for (const alias of f.aliases) p.aliases.add(alias);
    for (const base of f.builtOn) p.builtOn.add(base);
    if (f.family !== f.product) p.family = f.family;
    for (const proto of f.protocols) p.protocols.add(protocolFamily(proto));
    p.rules.push(...f.rules);
    const key = (id: string) => `${f.file}#${id}`;
    p.ladder.push(
      ...f.ladder.map((s) => ({ range: s.range, when: s.when.map(key), unless: s.unless.map(key) })),
    );
  }
  return [...byName.values()];
}

/**
 * The class a true product name (the lab's, a label's) stands for among a protocol's candidates:
 * the product of that name, else the one listing it as an alias, else the one whose name
 * contains it as whole words ("smtp-server" → "Nodemailer smtp-server"); "unknown" when none or
 * several do.
 */
export function resolveProduct(products: Product[], protocol: string, name: string): string {
  const base = protocolFamily(protocol);
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

/** Counts as flat arrays, [unit × class]: what training and the benchmark hand the model. */
export interface CountTable {
  fired: Float64Array;
  seen: Float64Array;
}

/** What the model knows of one protocol: its classes, units and log-probability tables. */
export interface ProtocolModel {
  protocol: string;
  classes: string[];
  classIndex: Map<string, number>;
  units: Unit[];
  unitOfRule: Map<string, number>;
  /** log P(fires | class) and log P(does not fire | class), [unit × class] */
  logFire: Float64Array;
  logMiss: Float64Array;
  fire: Float64Array;
  /** the world prior, log */
  logPrior: Float64Array;
}

export interface Scored {
  /** candidate classes (products for this protocol, then "unknown") */
  classes: string[];
  /** log-likelihood per class, before the temperature */
  logLikelihood: number[];
  /** every rule with its firing (null: feature missing) */
  firings: Array<{ rule: CompiledRule; fired: boolean | null }>;
  /** how far the dialogue got: which temperature applies */
  level: EvidenceLevel;
  protocol: string;
}

export class Model {
  readonly products: Product[];
  private readonly byName: Map<string, Product>;
  private readonly protocols = new Map<string, ProtocolModel>();
  /** priors re-estimated from a run's records (prior-em.ts), by base protocol */
  readonly runPriors = new Map<string, Float64Array>();

  constructor(
    files: ProductRules[],
    readonly data: ModelData,
    private readonly options: { priors?: PriorsFile | null; tables?: Map<string, CountTable> } = {},
  ) {
    this.products = catalogue(files);
    this.byName = new Map(this.products.map((p) => [p.product, p]));
  }

  product(name: string): Product | undefined {
    return this.byName.get(name);
  }

  candidates(protocol: string): Product[] {
    const base = protocolFamily(protocol);
    return this.products.filter((p) => p.protocols.has(base));
  }

  /** Classes and units of a protocol, without probabilities (training uses these). */
  static layout(products: Product[], protocol: string): { classes: string[]; units: Unit[] } {
    const base = protocolFamily(protocol);
    const candidates = products.filter((p) => p.protocols.has(base));
    return {
      classes: [...candidates.map((p) => p.product), UNKNOWN],
      units: buildUnits(candidates, UNKNOWN),
    };
  }

  /** The protocol's tables, built once. */
  protocolModel(protocol: string): ProtocolModel {
    const base = protocolFamily(protocol);
    const found = this.protocols.get(base);
    if (found) return found;
    const { classes, units } = Model.layout(this.products, base);
    const C = classes.length;
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    const table = this.options.tables?.get(base) ?? tableFromCounts(this.data.counts, units, classIndex);
    const fire = new Float64Array(units.length * C);
    const familyOf = (cls: string) => this.byName.get(cls)?.family ?? cls;
    units.forEach((unit, u) => {
      const owners = [...unit.owners].map((o) => classIndex.get(o) ?? -1);
      // the pool is what unrelated classes do: a product's siblings (Exchange and IIS SMTP share
      // their greeting) would make its own name look common elsewhere
      const families = new Set([...unit.owners].map(familyOf));
      const related = classes.map((c) => families.has(familyOf(c)));
      let offFired = 0;
      let offSeen = 0;
      let rateSum = 0;
      let productsSeen = 0;
      for (let c = 0; c < C; c += 1) {
        if (owners.includes(c) || related[c]) continue;
        const f = table.fired[u * C + c] ?? 0;
        const s = table.seen[u * C + c] ?? 0;
        offFired += f;
        offSeen += s;
        if (s > 0 && c !== C - 1) {
          rateSum += f / s;
          productsSeen += 1;
        }
      }
      const pooled = (offFired + PRIOR_OTHER[0]) / (offSeen + PRIOR_OTHER[0] + PRIOR_OTHER[1]);
      // what a product the database does not know would do is a product's habit, not an
      // example's: the share of other products showing the unit, each counted once (Postfix's
      // hundreds of examples would otherwise make any shape look rare among strangers)
      const strangers = (rateSum + UNKNOWN_POOL[0]) / (productsSeen + UNKNOWN_POOL[0] + UNKNOWN_POOL[1]);
      const [a, b] = unit.kind === "names" ? PRIOR_NAMES : unit.kind === "hint" ? PRIOR_HINT : PRIOR_OWN;
      for (let c = 0; c < C; c += 1) {
        const f = table.fired[u * C + c] ?? 0;
        const s = table.seen[u * C + c] ?? 0;
        const p = owners.includes(c)
          ? (f + a) / (s + a + b)
          : c === C - 1
            ? (f + OTHER_STRENGTH * strangers) / (s + OTHER_STRENGTH)
            : (f + OTHER_STRENGTH * pooled) / (s + OTHER_STRENGTH);
        fire[u * C + c] = Math.min(1 - P_MIN, Math.max(P_MIN, p));
      }
    });
    const logFire = fire.map(Math.log);
    const logMiss = fire.map((p) => Math.log(1 - p));
    const unitOfRule = new Map<string, number>();
    units.forEach((unit, u) => {
      for (const rule of unit.rules) unitOfRule.set(rule.key, u);
    });
    const resolve = (name: string) => {
      const cls = resolveProduct(this.products, base, name);
      return cls === UNKNOWN ? null : cls;
    };
    const spec = this.options.priors === undefined ? loadPriors() : this.options.priors;
    const prior = classPrior(classes, UNKNOWN, priorOf(spec, base), resolve);
    const model: ProtocolModel = {
      protocol: base,
      classes,
      classIndex,
      units,
      unitOfRule,
      logFire,
      logMiss,
      fire,
      logPrior: prior.map(Math.log),
    };
    this.protocols.set(base, model);
    return model;
  }

  /** P(rule fires | class), smoothed (through the rule's unit). */
  fireProbability(rule: CompiledRule, cls: string): number {
    const pm = this.protocolModel(rule.key.split("/")[0] ?? DEFAULT_PROTOCOL);
    const u = pm.unitOfRule.get(rule.key);
    const c = pm.classIndex.get(cls);
    if (u === undefined || c === undefined) return 0.5;
    return pm.fire[u * pm.classes.length + c] ?? 0.5;
  }

  /**
   * P(rule fires | class) for every class, in the order `score` gives its classes (the
   * protocol model's own), or null for a rule no unit holds (0.5 for every class). The probe
   * planner reads hundreds of classes per rule: one lookup per rule, not one per class.
   */
  fireRow(rule: CompiledRule): Float64Array | null {
    let row = this.fireRows.get(rule);
    if (row === undefined) {
      const pm = this.protocolModel(rule.key.split("/")[0] ?? DEFAULT_PROTOCOL);
      const u = pm.unitOfRule.get(rule.key);
      const C = pm.classes.length;
      row = u === undefined ? null : pm.fire.subarray(u * C, (u + 1) * C);
      this.fireRows.set(rule, row);
    }
    return row;
  }

  /** fireRow's answers: a model's rates never change once it is built */
  private readonly fireRows = new WeakMap<CompiledRule, Float64Array | null>();

  /** The log-likelihood of each class for units' firings (1, 0, -1 missing). */
  logLikelihoodOf(protocol: string, firings: Int8Array): Float64Array {
    const pm = this.protocolModel(protocol);
    const C = pm.classes.length;
    const out = new Float64Array(C);
    for (let u = 0; u < firings.length; u += 1) {
      const f = firings[u];
      if (f === -1) continue;
      const row = f === 1 ? pm.logFire : pm.logMiss;
      const base = u * C;
      for (let c = 0; c < C; c += 1) out[c] = (out[c] ?? 0) + (row[base + c] ?? 0);
    }
    return out;
  }

  firingsOf(protocol: string, features: Features): Int8Array {
    const pm = this.protocolModel(protocol);
    const rules = this.candidates(protocol).flatMap((p) => p.rules);
    const explained = hintExplainers(rules, features).size > 0;
    return unitFirings(pm.units, (rule) => fires(rule, features), features.get("hint"), explained);
  }

  score(protocol: string, features: Features): Scored {
    const pm = this.protocolModel(protocol);
    const firings = this.candidates(protocol).flatMap((p) =>
      p.rules.map((rule) => ({ rule, fired: fires(rule, features) })),
    );
    const ll = this.logLikelihoodOf(protocol, this.firingsOf(protocol, features));
    return {
      classes: pm.classes,
      logLikelihood: [...ll],
      firings,
      level: evidenceLevel(features),
      protocol: pm.protocol,
    };
  }

  /** The temperature for a protocol at an evidence level (temperatureFor). */
  temperature(level: EvidenceLevel, protocol?: string): number {
    return temperatureFor(this.data, protocol, level);
  }

  /** The prior in force for a protocol: the run's re-estimate when there is one, else the world's. */
  logPrior(protocol: string): Float64Array {
    const base = protocolFamily(protocol);
    const run = this.runPriors.get(base);
    return run ? run.map((p) => Math.log(Math.max(p, 1e-12))) : this.protocolModel(base).logPrior;
  }

  /** Calibrated probabilities: tempered likelihoods times the prior. */
  posterior(scored: Scored, temperature = this.temperature(scored.level, scored.protocol)): number[] {
    const prior = this.logPrior(scored.protocol);
    return softmax(scored.logLikelihood.map((l, i) => l / temperature + (prior[i] ?? 0)));
  }

  identify(protocol: string, features: Features): Software {
    const scored = this.score(protocol, features);
    const probs = this.posterior(scored);
    const decision = decide(scored.classes, probs);
    const { order } = decision;
    const product = this.byName.get(decision.answer);
    const second =
      scored.classes.find((_, i) => i === order.find((j) => scored.classes[j] !== decision.answer)) ??
      UNKNOWN;
    // every other candidate at 0.1 % or more (at most ten), and at least three whatever their odds
    const alternatives = order
      .filter((i) => scored.classes[i] !== (product?.product ?? UNKNOWN))
      .filter((i, rank) => rank < 3 || ((probs[i] ?? 0) >= 0.001 && rank < 10))
      .map((i) => ({ product: scored.classes[i] ?? UNKNOWN, probability: round(probs[i] ?? 0) }));
    const details = product ? detailsOf(product, scored, features) : { version: null, range: null, os: null };
    const hint = features.get("hint");
    return {
      product: product?.product ?? UNKNOWN,
      vendor: product?.vendor ?? null,
      kind: product?.kind ?? null,
      version: details.version,
      version_range: details.range,
      os: details.os,
      hint: hint ? hint : null,
      confidence: round(decision.confidence),
      alternatives,
      evidence: product ? this.evidence(scored, product.product, second) : [],
    };
  }

  /** Version, range and platform that `product`'s rules read from these features. */
  detailsFor(
    product: string,
    features: Features,
  ): { version: string | null; range: string | null; os: string | null } {
    const p = this.byName.get(product);
    if (!p) return { version: null, range: null, os: null };
    const firings = p.rules.map((rule) => ({ rule, fired: fires(rule, features) }));
    return detailsOf(p, { classes: [], logLikelihood: [], firings, level: "probes", protocol: "" }, features);
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

/** Counts from rules/model.json laid out as the protocol's table. */
function tableFromCounts(counts: Counts, units: Unit[], classIndex: Map<string, number>): CountTable {
  const C = classIndex.size;
  const fired = new Float64Array(units.length * C);
  const seen = new Float64Array(units.length * C);
  units.forEach((unit, u) => {
    for (const [cls, [f, s]] of Object.entries(counts[unit.key] ?? {})) {
      const c = classIndex.get(cls);
      if (c === undefined) continue;
      fired[u * C + c] = f;
      seen[u * C + c] = s;
    }
  });
  return { fired, seen };
}

/**
 * The answer a posterior gives: the top class when it reaches UNKNOWN_THRESHOLD, else
 * "unknown", as sure as the unknown class is probable. Training calibrates exactly this.
 */
export function decide(classes: string[], probs: ArrayLike<number>) {
  const order = Array.from({ length: classes.length }, (_, i) => i).sort(
    (i, j) => (probs[j] ?? 0) - (probs[i] ?? 0),
  );
  const top = order[0] ?? 0;
  const topProbability = probs[top] ?? 0;
  if (topProbability >= UNKNOWN_THRESHOLD && classes[top] !== undefined)
    return { answer: classes[top], confidence: topProbability, order };
  return { answer: UNKNOWN, confidence: probs[classes.indexOf(UNKNOWN)] ?? 0, order };
}

/** Version, range and platform from the product's rules that fired. */
function detailsOf(product: Product, scored: Scored, features: Features) {
  const fired = new Set(scored.firings.filter((f) => f.fired === true).map((f) => f.rule.key));
  let version: string | null = null;
  let range: string | null = null;
  let os: string | null = null;
  for (const rule of product.rules) {
    if (!fired.has(rule.key)) continue;
    const value = features.get(rule.feature) ?? "";
    const found = (rule.version ?? rule.pattern).exec(value)?.groups?.version;
    if (found && version === null) version = found;
    if (rule.versionRange && range === null) range = rule.versionRange;
    if (rule.os && os === null) os = osOf(rule, value);
  }
  const step = product.ladder.find(
    (s) => s.when.every((k) => fired.has(k)) && !s.unless.some((k) => fired.has(k)),
  );
  if (step) range = step.range;
  return { version, range, os };
}

/** A rule's platform template filled from its pattern's named groups ("Debian {deb}" → "Debian 12"). */
export function osOf(rule: CompiledRule, value: string): string | null {
  if (!rule.os) return null;
  const groups = rule.pattern.exec(value)?.groups ?? {};
  const filled = rule.os.replace(/\{(\w+)\}/g, (_, name: string) => groups[name] ?? "");
  return filled.trim() || null;
}

/**
 * The temperature fitted for a protocol at a level, else the level's, else the overall one:
 * the most specific that had enough held-out examples to be fitted (train.ts).
 */
export function temperatureFor(
  data: { temperature: number; temperatures?: Record<string, number> | undefined },
  protocol: string | undefined,
  level: EvidenceLevel,
): number {
  const own = protocol ? data.temperatures?.[`${protocolFamily(protocol)}/${level}`] : undefined;
  return own ?? data.temperatures?.[level] ?? data.temperature;
}

export function softmax(xs: ArrayLike<number>): number[] {
  const list = Array.from(xs);
  const max = Math.max(...list);
  const exps = list.map((x) => Math.exp(x - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export function modelPath(): string {
  return join(rulesDir(), "model.json");
}

/** An untrained model (priors only): what the rules alone say. */
export function emptyModelData(files: ProductRules[] = []): ModelData {
  return {
    format: 2,
    trained_at: "never",
    examples: 0,
    temperature: 1,
    rules: files.flatMap((f) => f.rules.map((r) => r.key)),
    counts: {},
  };
}

/**
 * The rules changed since training: rule keys the counts were learned with that no rule has now
 * (renamed or removed), and rules that have no counts (new or renamed). Either loses learned
 * evidence silently, so loading refuses it (docs/rules.md).
 */
export function staleRules(files: ProductRules[], data: ModelData): { gone: string[]; untrained: string[] } {
  const now = new Set(files.flatMap((f) => f.rules.map((r) => r.key)));
  const trained = new Set(data.rules);
  return {
    gone: [...trained].filter((k) => !now.has(k)),
    untrained: [...now].filter((k) => !trained.has(k)),
  };
}

export class StaleModelError extends Error {
  constructor(stale: { gone: string[]; untrained: string[] }) {
    const list = (keys: string[]) =>
      keys.slice(0, 5).join(", ") + (keys.length > 5 ? `, … (${keys.length})` : "");
    super(
      `rules/model.json is out of date with rules/: ${[
        stale.gone.length ? `trained rules missing now: ${list(stale.gone)}` : "",
        stale.untrained.length ? `rules never trained: ${list(stale.untrained)}` : "",
      ]
        .filter(Boolean)
        .join("; ")}. Run \`npm run train\`.`,
    );
    this.name = "StaleModelError";
  }
}

let cached: Model | undefined;

/** The rules and the trained weights in rules/model.json, which must match the rules. */
export function loadModel(): Model {
  if (cached) return cached;
  const file = modelPath();
  const files = loadRules();
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run train\``);
  const data = ModelDataSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const stale = staleRules(files, data);
  if (stale.gone.length || stale.untrained.length) throw new StaleModelError(stale);
  cached = new Model(files, data);
  return cached;
}
