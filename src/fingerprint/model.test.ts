import { describe, expect, it } from "vitest";
import { probe, toyRules, view } from "../../test/support/toy-rules.js";
import { extractFeatures } from "./features.js";
import { emptyModelData, Model, UNKNOWN } from "./model.js";
import {
  countFirings,
  expectedCalibrationError,
  fitTemperature,
  type TrainingExample,
  train,
} from "./train.js";

const example = (name: string, product: string, banner: string, code: number): TrainingExample => ({
  name,
  group: name,
  product,
  protocol: "smtp",
  features: extractFeatures(view(banner, [probe("x", code)])),
});

const examples = [
  example("a1", "Alpha", "220 h ESMTP Alpha 2.1", 500),
  example("a2", "Alpha", "220 h ESMTP", 500),
  example("b1", "Beta", "220 h ESMTP Beta", 502),
  example("b2", "Beta", "220 h ESMTP", 502),
  example("o1", "Gamma", "220 h ESMTP", 421),
];

describe("the model", () => {
  const files = toyRules();

  it("counts firings per rule and true class, products without rules as unknown", () => {
    const counts = countFirings(files, examples);
    expect(counts["smtp/alpha.yaml#banner"]).toEqual({ Alpha: [1, 2], Beta: [0, 2], unknown: [0, 1] });
    expect(counts["smtp/beta.yaml#probe-x"]).toEqual({ Alpha: [0, 2], Beta: [2, 2], unknown: [0, 1] });
    // no example ran probe y: its rule has nothing counted
    expect(counts["smtp/alpha.yaml#probe-y"]).toBeUndefined();
  });

  it("names the product, its version from the capture group and its range from the ladder", () => {
    const model = new Model(files, train(files, examples, 2));
    const answer = model.identify("smtp", extractFeatures(view("220 h ESMTP Alpha 2.3", [probe("x", 500)])));
    expect(answer).toMatchObject({
      product: "Alpha",
      vendor: "Alpha Inc.",
      version: "2.3",
      version_range: ">=2",
    });
    expect(answer.confidence).toBeGreaterThan(0.9);
    expect(answer.evidence.map((e) => e.rule).sort()).toEqual([
      "smtp/alpha.yaml#banner",
      "smtp/alpha.yaml#probe-x",
    ]);
    expect(answer.evidence.every((e) => e.weight > 0)).toBe(true);
    expect(answer.alternatives[0]?.product).toBeDefined();
  });

  it("tells products apart without a banner, and says unknown when nothing fits", () => {
    const model = new Model(files, train(files, examples, 2));
    expect(model.identify("smtp", extractFeatures(view("220 h ESMTP", [probe("x", 502)]))).product).toBe(
      "Beta",
    );
    const none = model.identify("smtp", extractFeatures(view("220 h ESMTP", [probe("x", 421)])));
    expect(none.product).toBe(UNKNOWN);
    expect(none.vendor).toBeNull();
    expect(none.evidence).toEqual([]);
  });

  it("reads a test that several products' files repeat as one observation", () => {
    // Alpha and Beta both claim a bare "ESMTP" greeting; Gamma's file has only its own rule.
    const shared = `  - id: bare\n    feature: banner\n    pattern: '^220 \\S+ ESMTP$'\n`;
    const rules = toyRules({ alpha: shared, beta: shared });
    const model = new Model(rules, emptyModelData());
    const unknownScore = (m: Model) => {
      const scored = m.score("smtp", extractFeatures(view("220 h ESMTP")));
      return scored.logLikelihood[scored.classes.indexOf(UNKNOWN)] ?? 0;
    };
    // the unknown class pays for the bare greeting once, not once per file that names it
    const withOne = new Model(toyRules({ alpha: shared }), emptyModelData());
    expect(unknownScore(model)).toBeCloseTo(unknownScore(withOne), 9);
    expect(model.identify("smtp", extractFeatures(view("220 h ESMTP"))).alternatives.length).toBeGreaterThan(
      0,
    );
  });

  it("uses priors alone before any training", () => {
    const model = new Model(files, emptyModelData());
    expect(model.identify("smtp", extractFeatures(view("220 h ESMTP Beta"))).product).toBe("Beta");
    expect(model.candidates("ssh")).toEqual([]);
  });
});

describe("calibration", () => {
  it("softens an overconfident model and never sharpens one", () => {
    const confidentlyWrong = Array.from({ length: 10 }, (_, i) => ({
      name: `e${i}`,
      truth: i < 7 ? "A" : "B",
      classes: ["A", "B"],
      logLikelihood: [0, -10],
      level: "probes" as const,
    }));
    const t = fitTemperature(confidentlyWrong);
    expect(t).toBeGreaterThan(5);
    // at the fitted temperature the top probability is about the 70 % it earns
    expect(1 / (1 + Math.exp(-10 / t))).toBeCloseTo(0.7, 1);
    const allRight = confidentlyWrong.map((h) => ({ ...h, truth: "A" }));
    expect(fitTemperature(allRight)).toBe(1);
  });

  it("measures expected calibration error", () => {
    expect(expectedCalibrationError([])).toBe(0);
    const points = [
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: false },
    ];
    expect(expectedCalibrationError(points)).toBeCloseTo(0.45);
    expect(expectedCalibrationError([{ confidence: 1, correct: true }])).toBe(0);
  });
});
