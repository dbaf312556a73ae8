/**
 * Learning the model's data from labelled records: how often each rule fired for each true
 * product (the counts the model smooths), and a softmax temperature fitted by k-fold cross-
 * validation so that held-out probabilities are calibrated (temperature scaling: one parameter,
 * so it cannot overfit a small set the way isotonic regression would).
 */
import type { ScanRecord } from "../store/schema.js";
import { atLevel, EVIDENCE_LEVELS, type EvidenceLevel, evidenceLevel } from "./evidence.js";
import { extractFeatures, type Features } from "./features.js";
import {
  type Counts,
  catalogue,
  decide,
  fires,
  Model,
  type ModelData,
  type Product,
  resolveProduct,
  softmax,
} from "./model.js";
import type { ProductRules } from "./rules.js";

export interface TrainingExample {
  name: string;
  /** examples of one group (one server's records) always share a fold, so none leaks into its own test */
  group: string;
  product: string;
  protocol: string;
  features: Features;
}

export function trainingExample(e: {
  name: string;
  product: string;
  record: ScanRecord;
  group?: string;
}): TrainingExample {
  return {
    name: e.name,
    group: e.group ?? e.name,
    product: e.product,
    protocol: e.record.protocol,
    features: extractFeatures(e.record),
  };
}

/** The fold of each group: groups in order of first appearance, dealt round-robin. */
function foldOf(examples: TrainingExample[], folds: number): (e: TrainingExample) => number {
  const groups = new Map<string, number>();
  for (const e of examples) if (!groups.has(e.group)) groups.set(e.group, groups.size % folds);
  return (e) => groups.get(e.group) ?? 0;
}

export function countFirings(files: ProductRules[], examples: TrainingExample[]): Counts {
  const products = catalogue(files);
  const counts: Counts = {};
  for (const example of examples) {
    const cls = resolveProduct(products, example.protocol, example.product);
    for (const product of products) {
      for (const rule of product.rules) {
        const fired = fires(rule, example.features);
        if (fired === null) continue;
        const perRule = counts[rule.key] ?? {};
        const [firedBefore, seenBefore] = perRule[cls] ?? [0, 0];
        perRule[cls] = [firedBefore + (fired ? 1 : 0), seenBefore + 1];
        counts[rule.key] = perRule;
      }
    }
  }
  return counts;
}

export interface HeldOut {
  name: string;
  truth: string;
  /** per candidate class, before the temperature */
  classes: string[];
  logLikelihood: number[];
  level: EvidenceLevel;
}

/** Every example scored by a model trained without its fold (examples assigned round-robin). */
export function crossValidate(files: ProductRules[], examples: TrainingExample[], folds: number): HeldOut[] {
  const products: Product[] = catalogue(files);
  const out: HeldOut[] = [];
  const fold = foldOf(examples, folds);
  for (let k = 0; k < folds; k += 1) {
    const train = examples.filter((e) => fold(e) !== k);
    const test = examples.filter((e) => fold(e) === k);
    const model = new Model(files, dataFrom(countFirings(files, train), 1, train.length));
    for (const e of test) {
      const scored = model.score(e.protocol, e.features);
      out.push({
        name: e.name,
        truth: resolveProduct(products, e.protocol, e.product),
        classes: scored.classes,
        logLikelihood: scored.logLikelihood,
        level: scored.level,
      });
    }
  }
  return out;
}

/**
 * The temperature minimising held-out negative log-likelihood of the true class (a proper
 * scoring rule over the whole distribution; a log-spaced grid over [1, 100]). A loss on the
 * decided answer alone was tried and is degenerate: at a high temperature everything becomes
 * "unknown" with a tiny, "honest" confidence. Never below 1: naive Bayes counts correlated
 * rules as independent evidence, so it is overconfident, never the reverse; and when every
 * held-out example is right the likelihood alone would sharpen without bound.
 */
export function fitTemperature(heldOut: HeldOut[]): number {
  let best = { t: 1, nll: Number.POSITIVE_INFINITY };
  for (let i = 0; i <= 200; i += 1) {
    const t = Math.exp((i / 200) * Math.log(100));
    const nll = heldOut.reduce((sum, h) => {
      const p = softmax(h.logLikelihood.map((l) => l / t))[h.classes.indexOf(h.truth)] ?? 0;
      return sum - Math.log(Math.max(p, 1e-12));
    }, 0);
    if (nll < best.nll) best = { t, nll };
  }
  return best.t;
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

/** Top-1 class and its probability for held-out scores at a temperature (or one per level). */
export function heldOutPoints(heldOut: HeldOut[], temperature: number | ((level: EvidenceLevel) => number)) {
  return heldOut.map((h) => {
    const t = typeof temperature === "number" ? temperature : temperature(h.level);
    const { answer, confidence } = decide(h.classes, softmax(h.logLikelihood.map((l) => l / t)));
    return { name: h.name, truth: h.truth, predicted: answer, confidence, correct: answer === h.truth };
  });
}

function dataFrom(counts: Counts, temperature: number, examples: number): ModelData {
  return { format: 1, trained_at: new Date().toISOString(), examples, temperature, counts };
}

/** Fewer held-out examples than this at a level, and the level uses the overall temperature. */
const MIN_EXAMPLES_PER_LEVEL = 10;

/**
 * One temperature per evidence level. Each level is fitted on the examples that reach it, cut
 * down to what that level sees, so a banner-only answer is tempered for one rule firing, not
 * for the dozen correlated rules a full dialogue fires.
 */
export function fitTemperatures(
  files: ProductRules[],
  examples: TrainingExample[],
  folds: number,
): { temperature: number; temperatures: Partial<Record<EvidenceLevel, number>>; heldOut: HeldOut[] } {
  const k = (n: number) => Math.max(2, Math.min(folds, n));
  const heldOut = crossValidate(files, examples, k(examples.length));
  const temperature = fitTemperature(heldOut);
  const temperatures: Partial<Record<EvidenceLevel, number>> = {};
  const rank = (level: EvidenceLevel) => EVIDENCE_LEVELS.indexOf(level);
  for (const level of EVIDENCE_LEVELS) {
    const reaching = examples
      .filter((e) => rank(evidenceLevel(e.features)) >= rank(level))
      .map((e) => ({ ...e, features: atLevel(e.features, level) }));
    if (reaching.length < MIN_EXAMPLES_PER_LEVEL) continue;
    temperatures[level] = fitTemperature(crossValidate(files, reaching, k(reaching.length)));
  }
  return { temperature, temperatures, heldOut };
}

/** Counts from every example, the temperatures from cross-validation. */
export function train(files: ProductRules[], examples: TrainingExample[], folds = 5): ModelData {
  const { temperature, temperatures, heldOut } = fitTemperatures(files, examples, folds);
  const points = heldOutPoints(heldOut, (level) => temperatures[level] ?? temperature);
  const data = dataFrom(countFirings(files, examples), temperature, examples.length);
  data.temperatures = temperatures;
  data.calibration = {
    held_out_accuracy: points.filter((p) => p.correct).length / Math.max(1, points.length),
    held_out_ece: expectedCalibrationError(points),
    folds,
  };
  return data;
}
