/**
 * Offline accuracy of the identification model on labelled examples, always on examples the
 * counts were not learned from:
 *  - leave-one-source-out: every example predicted by a model trained without its whole source
 *    (one documentation source, thread, package or lab server); the temperatures it is read at
 *    were fitted on other sources' held-out scores (10 folds of whole sources);
 *  - leave-one-product-out: every example of a product predicted by a model with neither that
 *    product's examples nor its rule files: the right answer is then "unknown".
 * Used by identify-bench.ts.
 */
import { Dataset } from "../src/fingerprint/dataset.js";
import { atLevel, EVIDENCE_LEVELS, type EvidenceLevel } from "../src/fingerprint/evidence.js";
import type { Example } from "../src/fingerprint/examples.js";
import { type Features, withoutBanner } from "../src/fingerprint/features.js";
import {
  catalogue,
  type Model,
  type Product,
  resolveProduct,
  temperatureFor,
  UNKNOWN,
} from "../src/fingerprint/model.js";
import type { ProductRules } from "../src/fingerprint/rules.js";
import {
  decideHeldOut,
  expectedCalibrationError,
  fitTemperatures,
  type HeldOut,
  heldOutScores,
  modelFromTables,
  type TrainingExample,
} from "../src/fingerprint/train.js";

export interface Prediction {
  name: string;
  source: string;
  protocol: string;
  level: EvidenceLevel;
  truth: string;
  answer: string;
  confidence: number;
  correct: boolean;
  /** a product's name that is not the truth, nor the software underneath it (the worst answer) */
  wrongName: boolean;
  /** the product the truth is built on (Postfix for Zimbra): right software, less specific */
  underneath: boolean;
  /** whether the version or range covers the true version (null: nothing to judge) */
  versionRight: boolean | null;
}

export const LEVEL_NAMES: Record<EvidenceLevel, string> = {
  banner: "greeting only",
  ehlo: "+ EHLO",
  help: "+ HELP, STARTTLS, certificate",
  probes: "+ probes (all)",
};

/** Whether a version or range reported covers the true version ("3.7-3.8" covers 3.7.11). */
export function versionCovers(
  reported: { version: string | null; range: string | null },
  truth: string | null,
): boolean | null {
  if (!truth) return null;
  if (reported.version)
    return (
      truth === reported.version ||
      truth.startsWith(`${reported.version}.`) ||
      truth.startsWith(`${reported.version}p`) ||
      reported.version.startsWith(truth)
    );
  const range = reported.range;
  if (!range) return false;
  const cmp = (a: string, b: string) => {
    const pa = a.split(/[.p_-]/).map(Number);
    const pb = b.split(/[.p_-]/).map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
      const d = (pa[i] ?? 0) - (pb[i] ?? 0);
      if (Number.isNaN(d)) return 0;
      if (d !== 0) return d;
    }
    return 0;
  };
  const prefix = (v: string, n: number) => v.split(".").slice(0, n).join(".");
  const ge = /^>=\s*(\S+)$/.exec(range);
  if (ge?.[1]) return cmp(truth, ge[1]) >= 0;
  const lt = /^<\s*(\S+)$/.exec(range);
  if (lt?.[1]) return cmp(truth, lt[1]) < 0;
  const le = /^<=\s*(\S+)$/.exec(range);
  if (le?.[1]) return cmp(prefix(truth, le[1].split(".").length), le[1]) <= 0;
  const between = /^(\S+?)\s*-\s*(\S+)$/.exec(range);
  if (between?.[1] && between[2]) {
    const hi = between[2];
    return cmp(truth, between[1]) >= 0 && cmp(prefix(truth, hi.split(".").length), hi) <= 0;
  }
  return truth === range || truth.startsWith(`${range}.`);
}

type BuiltOnTest = (protocol: string, truth: string, answer: string, example: Example) => boolean;

/**
 * Whether `answer` is a product `truth` is built on: the truth's `built_on` in its rule file, or
 * for a product without rules the example's own `built_on`, resolved per protocol.
 */
export function builtOnTest(products: Product[]): BuiltOnTest {
  const byName = new Map(products.map((p) => [p.product, p]));
  return (protocol, truth, answer, example) => {
    const bases = byName.get(truth)?.builtOn ?? new Set(truth === UNKNOWN ? (example.builtOn ?? []) : []);
    if (answer === UNKNOWN) return false;
    return [...bases].some((b) => resolveProduct(products, protocol, b) === answer);
  };
}

function prediction(
  model: Model,
  example: Example,
  features: Features,
  h: HeldOut,
  temperature: number,
  builtOn: BuiltOnTest,
): Prediction {
  const d = decideHeldOut(h, temperature);
  const underneath = !d.correct && builtOn(h.protocol, d.truth, d.answer, example);
  const details = d.answer === UNKNOWN ? null : model.detailsFor(d.answer, atLevel(features, h.level));
  return {
    name: example.name,
    source: example.source,
    protocol: h.protocol,
    level: h.level,
    truth: d.truth,
    answer: d.answer,
    confidence: d.confidence,
    correct: d.correct,
    wrongName: !d.correct && d.answer !== UNKNOWN && !underneath,
    underneath,
    versionRight:
      d.correct && d.truth !== UNKNOWN && details ? versionCovers(details, example.version) : null,
  };
}

/** Temperatures for each held-out point fitted on the points of the other calibration folds. */
function foldedTemperatures(points: HeldOut[], sourceOf: (i: number) => string, folds = 10) {
  const fold = new Map<string, number>();
  for (const p of points) {
    const s = sourceOf(p.index);
    if (!fold.has(s)) fold.set(s, fold.size % folds);
  }
  const foldOf = (p: HeldOut) => fold.get(sourceOf(p.index)) ?? 0;
  const fitted = Array.from({ length: folds }, (_, k) =>
    fitTemperatures(points.filter((p) => foldOf(p) !== k)),
  );
  return (p: HeldOut) => {
    const f = fitted[foldOf(p)];
    return f ? temperatureFor(f, p.protocol, p.level) : 1;
  };
}

export interface Evaluation {
  loso: Prediction[];
  lopo: Prediction[];
  /** LOSO over the same examples with every greeting hidden (the banner-stripped case) */
  hidden: Prediction[];
  temperatures: Record<string, number>;
}

/** Leave-one-source-out over examples (features transformed first, e.g. greeting hidden). */
export function leaveOneSourceOut(
  files: ProductRules[],
  examples: Example[],
  training: TrainingExample[],
  transform: (f: Features) => Features = (f) => f,
): { predictions: Prediction[]; points: HeldOut[] } {
  const products = catalogue(files);
  const data = new Dataset(products, training, transform);
  const sourceOf = (i: number) => training[i]?.source ?? "";
  const points = heldOutScores(files, data, sourceOf);
  const temperatureOf = foldedTemperatures(points, sourceOf);
  const model = modelFromTables(files, data.tables());
  const builtOn = builtOnTest(products);
  const predictions = points.map((h) => {
    const e = examples[h.index] as Example;
    const features = transform(training[h.index]?.features ?? new Map());
    return prediction(model, e, features, h, temperatureOf(h), builtOn);
  });
  return { predictions, points };
}

/**
 * Leave-one-product-out: each product's rules and examples removed, with those of every product
 * of its family (products that share code: Postfix and postscreen, Exchange and IIS SMTP); its
 * examples must then be "unknown".
 */
export function leaveOneProductOut(
  files: ProductRules[],
  examples: Example[],
  training: TrainingExample[],
  temperatures: Record<string, number>,
): Prediction[] {
  const products = catalogue(files);
  const data = new Dataset(products, training);
  const out: Prediction[] = [];
  const familyOf = new Map(products.map((p) => [p.product, p.family]));
  const byProduct = new Map<string, number[]>();
  training.forEach((_, i) => {
    const cls = data.truthName[i] ?? UNKNOWN;
    if (cls !== UNKNOWN) byProduct.set(cls, [...(byProduct.get(cls) ?? []), i]);
  });
  for (const [product, members] of byProduct) {
    const family = familyOf.get(product) ?? product;
    const held = new Set(
      products.filter((p) => p.family === family || p.product === product).map((p) => p.product),
    );
    const keptFiles = files.filter((f) => !held.has(f.product));
    const others = catalogue(keptFiles);
    const protocols = new Set(members.map((i) => data.protocolOf[i] ?? "smtp"));
    const tables = new Map();
    const views = new Map<string, ReturnType<Dataset["tableWithout"]>>();
    for (const p of protocols) {
      const view = data.tableWithout(p, held, others);
      tables.set(p, view.table);
      views.set(p, view);
    }
    const model = modelFromTables(keptFiles, tables);
    for (const i of members) {
      const protocol = data.protocolOf[i] ?? "smtp";
      const view = views.get(protocol);
      if (!view) continue;
      const pm = model.protocolModel(protocol);
      for (const level of EVIDENCE_LEVELS) {
        if (EVIDENCE_LEVELS.indexOf(level) > EVIDENCE_LEVELS.indexOf(data.reach[i] ?? "probes")) continue;
        const h: HeldOut = {
          index: i,
          protocol,
          classes: pm.classes,
          truth: pm.classes.length - 1,
          logLikelihood: model.logLikelihoodOf(protocol, view.firingsOf(i, level)),
          logPrior: pm.logPrior,
          level,
        };
        const e = examples[i] as Example;
        const p = prediction(
          model,
          e,
          training[i]?.features ?? new Map(),
          h,
          temperatureFor({ temperature: 1, temperatures }, protocol, level),
          () => false,
        );
        // the family is held out with the product, so no answer can be the software underneath
        out.push({
          ...p,
          truth: product,
          versionRight: null,
          wrongName: p.answer !== UNKNOWN,
          underneath: false,
        });
      }
    }
  }
  return out;
}

export interface Summary {
  n: number;
  accuracy: number;
  wrongNames: number;
  underneath: number;
  versionAccuracy: number;
  versionN: number;
  /** calibration of "the named software answers": the exact product, or the one underneath */
  ece: number;
  /** calibration of the exact product only (the software underneath counted as wrong) */
  eceStrict: number;
}

export function summary(predictions: Prediction[]): Summary {
  const n = predictions.length;
  const versioned = predictions.filter((p) => p.versionRight !== null);
  return {
    n,
    accuracy: n ? predictions.filter((p) => p.correct).length / n : 0,
    wrongNames: n ? predictions.filter((p) => p.wrongName).length / n : 0,
    underneath: n ? predictions.filter((p) => p.underneath).length / n : 0,
    versionAccuracy: versioned.length ? versioned.filter((p) => p.versionRight).length / versioned.length : 0,
    versionN: versioned.length,
    ece: expectedCalibrationError(
      predictions.map((p) => ({ confidence: p.confidence, correct: p.correct || p.underneath })),
    ),
    eceStrict: expectedCalibrationError(
      predictions.map((p) => ({ confidence: p.confidence, correct: p.correct })),
    ),
  };
}

export function evaluate(
  files: ProductRules[],
  examples: Example[],
  training: TrainingExample[],
): Evaluation {
  const loso = leaveOneSourceOut(files, examples, training);
  const { temperatures } = fitTemperatures(loso.points);
  const smtpOnly = examples.map((e, i) => ({ e, t: training[i] })).filter((x) => x.e.record.smtp?.ehlo);
  const hidden = leaveOneSourceOut(
    files,
    smtpOnly.map((x) => x.e),
    smtpOnly.map((x) => x.t as TrainingExample),
    withoutBanner,
  ).predictions;
  const lopo = leaveOneProductOut(files, examples, training, temperatures);
  return { loso: loso.predictions, lopo, hidden, temperatures };
}
