/**
 * Offline accuracy of the identification model on labelled records, always on records the
 * weights were not learned from: grouped k-fold (one server's records share a fold) and
 * leave-one-product-out. Used by identify-bench.ts.
 */

import { levelKeeps } from "../src/fingerprint/evidence.js";
import type { Example } from "../src/fingerprint/examples.js";
import { extractFeatures, type Features } from "../src/fingerprint/features.js";
import { catalogue, Model, resolveProduct, UNKNOWN } from "../src/fingerprint/model.js";
import type { ProductRules } from "../src/fingerprint/rules.js";
import {
  countFirings,
  expectedCalibrationError,
  fitTemperatures,
  type TrainingExample,
} from "../src/fingerprint/train.js";
import type { Software } from "../src/store/schema.js";

export interface Prediction {
  name: string;
  source: string;
  truth: string;
  truthVersion: string | null;
  software: Software;
  correct: boolean;
  versionRight: boolean | null;
}

/** Which features each evidence level keeps (PingedIn's layering: banner, + EHLO, + HELP, + probes). */
export const LEVELS: Array<{ name: string; keep: (feature: string) => boolean }> = [
  { name: "banner only", keep: (f) => levelKeeps("banner", f) },
  { name: "+ EHLO", keep: (f) => levelKeeps("ehlo", f) },
  { name: "+ HELP", keep: (f) => levelKeeps("help", f) },
  { name: "+ probes (all)", keep: () => true },
];

export function filterFeatures(features: Features, keep: (f: string) => boolean): Features {
  return new Map([...features].filter(([name]) => keep(name)));
}

/** Whether a version or range reported covers the true version ("3.7-3.8" covers 3.7.11). */
export function versionCovers(software: Software, truth: string | null): boolean | null {
  if (!truth) return null;
  if (software.version)
    return (
      truth === software.version ||
      truth.startsWith(`${software.version}.`) ||
      software.version.startsWith(truth)
    );
  const range = software.version_range;
  if (!range) return false;
  const cmp = (a: string, b: string) => {
    const pa = a.split(/[.p]/).map(Number);
    const pb = b.split(/[.p]/).map(Number);
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
  const between = /^(\S+?)\s*-\s*(\S+)$/.exec(range);
  if (between?.[1] && between[2]) {
    const hi = between[2];
    return cmp(truth, between[1]) >= 0 && cmp(prefix(truth, hi.split(".").length), hi) <= 0;
  }
  return truth === range || truth.startsWith(`${range}.`);
}

export function predict(model: Model, example: Example, features: Features): Prediction {
  const software = model.identify(example.record.protocol, features);
  const truth = resolveProduct(model.products, example.record.protocol, example.product);
  const correct = software.product === truth;
  return {
    name: example.name,
    source: example.source,
    truth,
    truthVersion: example.version,
    software,
    correct,
    versionRight: correct && truth !== UNKNOWN ? versionCovers(software, example.version) : null,
  };
}

function modelWithout(files: ProductRules[], train: TrainingExample[]): Model {
  const counts = countFirings(files, train);
  // the temperatures too are learned without the held-out records
  const fitted = train.length >= 4 ? fitTemperatures(files, train, 5) : { temperature: 1, temperatures: {} };
  return new Model(files, {
    format: 1,
    trained_at: "bench",
    examples: train.length,
    temperature: fitted.temperature,
    temperatures: fitted.temperatures,
    counts,
  });
}

/** Grouped k-fold: each record predicted by a model learned without its server's records. */
export function crossValidated(
  files: ProductRules[],
  examples: Example[],
  training: TrainingExample[],
  folds = 5,
  transform: (f: Features) => Features = (f) => f,
): Prediction[] {
  const groups = [...new Set(training.map((t) => t.group))];
  const foldOf = (group: string) => groups.indexOf(group) % folds;
  const out: Prediction[] = [];
  for (let k = 0; k < folds; k += 1) {
    const model = modelWithout(
      files,
      training.filter((t) => foldOf(t.group) !== k),
    );
    examples.forEach((e, i) => {
      const t = training[i];
      if (t && foldOf(t.group) === k) out.push(predict(model, e, transform(extractFeatures(e.record))));
    });
  }
  return out;
}

/** Leave-one-product-out: every record of a product predicted by a model that never saw that product. */
export function leaveOneProductOut(
  files: ProductRules[],
  examples: Example[],
  training: TrainingExample[],
  transform: (f: Features) => Features = (f) => f,
): Prediction[] {
  const products = catalogue(files);
  const classOf = (e: Example) => resolveProduct(products, e.record.protocol, e.product);
  const out: Prediction[] = [];
  for (const cls of new Set(examples.map(classOf))) {
    const model = modelWithout(
      files,
      training.filter((_, i) => examples[i] && classOf(examples[i]) !== cls),
    );
    examples.forEach((e) => {
      if (classOf(e) === cls) out.push(predict(model, e, transform(extractFeatures(e.record))));
    });
  }
  return out;
}

export function summary(predictions: Prediction[]) {
  const n = predictions.length;
  const right = predictions.filter((p) => p.correct).length;
  const versioned = predictions.filter((p) => p.versionRight !== null);
  return {
    n,
    accuracy: n ? right / n : 0,
    versionAccuracy: versioned.length ? versioned.filter((p) => p.versionRight).length / versioned.length : 0,
    versionN: versioned.length,
    ece: expectedCalibrationError(
      predictions.map((p) => ({ confidence: p.software.confidence, correct: p.correct })),
    ),
  };
}
