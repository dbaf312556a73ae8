/**
 * Learning the model's data from labelled examples: how often each unit fired for each true
 * class (the counts the model smooths), and one softmax temperature per evidence level fitted on
 * held-out folds of whole sources, so that held-out probabilities are calibrated (temperature
 * scaling: one parameter per level, so it cannot overfit the way isotonic regression would).
 */

import { DEFAULT_PROTOCOL } from "../protocols/registry.js";
import type { ScanRecord } from "../store/schema.js";
import { Dataset, type TrainingExample } from "./dataset.js";
import { EVIDENCE_LEVELS, type EvidenceLevel } from "./evidence.js";
import type { Example } from "./examples.js";
import { extractFeatures } from "./features.js";
import {
  type CountTable,
  catalogue,
  decide,
  Model,
  type ModelData,
  softmax,
  temperatureFor,
} from "./model.js";
import type { PriorsFile } from "./priors.js";
import type { ProductRules } from "./rules.js";

export type { TrainingExample } from "./dataset.js";

export function trainingExample(
  e: Pick<Example, "name" | "product" | "record"> & Partial<Example>,
): TrainingExample {
  return {
    name: e.name,
    group: e.group ?? e.name,
    source: e.source ?? e.group ?? e.name,
    product: e.product,
    protocol: (e.record as ScanRecord).protocol,
    features: extractFeatures(e.record as ScanRecord),
  };
}

/** One held-out prediction before tempering: what calibration and the benchmark read. */
export interface HeldOut {
  index: number;
  protocol: string;
  classes: string[];
  truth: number;
  logLikelihood: Float64Array;
  logPrior: Float64Array;
  level: EvidenceLevel;
}

const RANK = (level: EvidenceLevel) => EVIDENCE_LEVELS.indexOf(level);

export function dataFrom(
  temperature: number,
  examples: number,
  temperatures: Record<string, number> = {},
): ModelData {
  return {
    format: 2,
    trained_at: new Date().toISOString(),
    examples,
    temperature,
    temperatures,
    rules: [],
    counts: {},
  };
}

/** A model whose counts are `tables` (one per protocol, in the dataset's layout). */
export function modelFromTables(
  files: ProductRules[],
  tables: Map<string, CountTable>,
  temperatures: Record<string, number> = {},
  examples = 0,
  priors?: PriorsFile | null,
): Model {
  return new Model(
    files,
    dataFrom(1, examples, temperatures),
    priors === undefined ? { tables } : { tables, priors },
  );
}

/**
 * Every example scored, at every level its evidence reaches, by a model whose counts never saw
 * the example's fold (`foldOf`: a fold key per example, e.g. its source).
 */
export function heldOutScores(
  files: ProductRules[],
  data: Dataset,
  foldOf: (i: number) => string,
  priors?: PriorsFile | null,
): HeldOut[] {
  const folds = new Map<string, number[]>();
  data.examples.forEach((_, i) => {
    const k = foldOf(i);
    folds.set(k, [...(folds.get(k) ?? []), i]);
  });
  const out: HeldOut[] = [];
  for (const members of folds.values()) {
    const protocols = new Set(members.map((i) => data.protocolOf[i] ?? DEFAULT_PROTOCOL));
    const model = modelFromTables(
      files,
      new Map([...protocols].map((p) => [p, data.tableExcluding(p, members)])),
      {},
      0,
      priors,
    );
    for (const i of members) {
      const protocol = data.protocolOf[i] ?? DEFAULT_PROTOCOL;
      const pm = model.protocolModel(protocol);
      for (const level of EVIDENCE_LEVELS) {
        if (RANK(level) > RANK(data.reach[i] ?? "probes")) continue;
        out.push({
          index: i,
          protocol,
          classes: pm.classes,
          truth: data.truth[i] ?? pm.classes.length - 1,
          logLikelihood: model.logLikelihoodOf(protocol, data.firings[i]?.[level] as Int8Array),
          logPrior: pm.logPrior,
          level,
        });
      }
    }
  }
  return out;
}

function nll(points: HeldOut[], t: number): number {
  let sum = 0;
  for (const h of points) {
    const p = softmax(Array.from(h.logLikelihood, (l, i) => l / t + (h.logPrior[i] ?? 0)))[h.truth] ?? 0;
    sum -= Math.log(Math.max(p, 1e-12));
  }
  return sum;
}

/**
 * The temperature minimising held-out negative log-likelihood of the true class (a proper
 * scoring rule over the whole distribution), by golden-section search of log T over [1, 100].
 * Never below 1: naive Bayes counts correlated rules as independent evidence, so it is
 * overconfident, never the reverse.
 */
export function fitTemperature(points: HeldOut[]): number {
  if (points.length === 0) return 1;
  let lo = 0;
  let hi = Math.log(100);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = nll(points, Math.exp(a));
  let fb = nll(points, Math.exp(b));
  for (let k = 0; k < 30; k += 1) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = nll(points, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = nll(points, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Fewer held-out examples than this at a level, and the level uses the overall temperature. */
const MIN_EXAMPLES_PER_LEVEL = 10;
/**
 * A protocol gets a temperature of its own at a level only with this many held-out examples
 * there: its rules are correlated in their own way (SSH's banner rules rarely overlap, SMTP's
 * greeting rules often do), so one shared temperature over-corrects one and under-corrects the
 * other. Fewer, and the protocol shares its level's temperature.
 */
const MIN_EXAMPLES_PER_PROTOCOL_LEVEL = 100;

/**
 * One temperature per protocol and level, per level, and one over all held-out scores; keys
 * are `level` and `protocol/level` (temperatureFor reads them in that order of preference).
 */
export function fitTemperatures(points: HeldOut[]): {
  temperature: number;
  temperatures: Record<string, number>;
} {
  const temperatures: Record<string, number> = {};
  for (const level of EVIDENCE_LEVELS) {
    const at = points.filter((p) => p.level === level);
    if (at.length >= MIN_EXAMPLES_PER_LEVEL) temperatures[level] = fitTemperature(at);
    for (const protocol of new Set(at.map((p) => p.protocol))) {
      const own = at.filter((p) => p.protocol === protocol);
      if (own.length >= MIN_EXAMPLES_PER_PROTOCOL_LEVEL)
        temperatures[`${protocol}/${level}`] = fitTemperature(own);
    }
  }
  return { temperature: fitTemperature(points), temperatures };
}

/** Expected calibration error over 10 equal-width confidence bins. */
export function expectedCalibrationError(points: Array<{ confidence: number; correct: boolean }>): number {
  if (points.length === 0) return 0;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, right: 0 }));
  for (const p of points) {
    const bin = bins[Math.min(9, Math.floor(p.confidence * 10))];
    if (!bin) continue;
    bin.n += 1;
    bin.conf += p.confidence;
    bin.right += p.correct ? 1 : 0;
  }
  return bins.reduce((sum, b) => sum + (b.n === 0 ? 0 : Math.abs(b.right - b.conf)), 0) / points.length;
}

/** A held-out score decided at a temperature: the answer, its confidence, whether it is right. */
export function decideHeldOut(h: HeldOut, t: number) {
  const probs = softmax(Array.from(h.logLikelihood, (l, i) => l / t + (h.logPrior[i] ?? 0)));
  const { answer, confidence, order } = decide(h.classes, probs);
  const truth = h.classes[h.truth] ?? "unknown";
  return { answer, confidence, correct: answer === truth, truth, probs, order };
}

/** Sources dealt round-robin into k folds, in order of first appearance (whole sources only). */
export function sourceFolds(examples: TrainingExample[], k: number): (i: number) => string {
  const fold = new Map<string, number>();
  for (const e of examples) if (!fold.has(e.source)) fold.set(e.source, fold.size % k);
  return (i) => String(fold.get(examples[i]?.source ?? "") ?? 0);
}

/** Rules whose unit no example ever observed: training has nothing to say about them. */
export function untrainedRules(data: Dataset, counts: ModelData["counts"]): string[] {
  const out: string[] = [];
  for (const pd of data.protocols.values())
    for (const unit of pd.units) if (!counts[unit.key]) out.push(...unit.rules.map((r) => r.key));
  return out;
}

export class TrainingError extends Error {}

/**
 * Counts from every example, temperatures from 5 folds of whole sources. Fails when a rule has
 * no trained entry (no labelled example has the feature it reads) or a protocol with rules has
 * no example: a rule the model never learned about would silently speak with its prior only.
 */
export function train(
  files: ProductRules[],
  examples: TrainingExample[],
  folds = 5,
  priors?: PriorsFile | null,
): ModelData {
  const products = catalogue(files);
  const data = new Dataset(products, examples);
  const counts = data.countsJson();
  const protocolsWithRules = new Set(products.flatMap((p) => [...p.protocols]));
  const missing = [...protocolsWithRules].filter((p) => !data.protocols.has(p));
  const untrained = [
    ...untrainedRules(data, counts),
    ...products
      .filter((p) => [...p.protocols].some((x) => missing.includes(x)))
      .flatMap((p) => p.rules.map((r) => r.key)),
  ];
  if (untrained.length)
    throw new TrainingError(
      `${untrained.length} rule(s) have no trained entry (no labelled example shows their feature): ${untrained.slice(0, 8).join(", ")}${untrained.length > 8 ? ", …" : ""}`,
    );
  const heldOut = heldOutScores(files, data, sourceFolds(examples, folds), priors);
  const fit = fitTemperatures(heldOut);
  const { temperature, temperatures } = fit;
  const decideAtFitted = (h: HeldOut) => decideHeldOut(h, temperatureFor(fit, h.protocol, h.level));
  const points = heldOut.map(decideAtFitted);
  const topPoints = heldOut.filter((h) => h.level === (data.reach[h.index] ?? "probes")).map(decideAtFitted);
  return {
    format: 2,
    trained_at: new Date().toISOString(),
    examples: examples.length,
    temperature,
    temperatures,
    rules: files.flatMap((f) => f.rules.map((r) => r.key)),
    counts,
    calibration: {
      held_out_accuracy: topPoints.filter((p) => p.correct).length / Math.max(1, topPoints.length),
      held_out_ece: expectedCalibrationError(points),
      folds,
    },
  };
}
