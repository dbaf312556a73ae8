import { describe, expect, it } from "vitest";
import { probe, toyRules, view } from "../../test/support/toy-rules.js";
import { Dataset } from "./dataset.js";
import { extractFeatures } from "./features.js";
import {
  catalogue,
  emptyModelData,
  Model,
  StaleModelError,
  staleRules,
  temperatureFor,
  UNKNOWN,
} from "./model.js";
import {
  expectedCalibrationError,
  fitTemperature,
  fitTemperatures,
  type HeldOut,
  type TrainingExample,
  train,
} from "./train.js";

const example = (name: string, product: string, banner: string, code: number): TrainingExample => ({
  name,
  group: name,
  source: `doc: ${name}`,
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

// the toy products are in no published survey: a uniform prior
const uniform = { priors: null };

describe("the model", () => {
  const files = toyRules();

  it("counts firings per unit and true class, products without rules as unknown", () => {
    const counts = new Dataset(catalogue(files), examples).countsJson();
    expect(counts["smtp/alpha.yaml#banner"]).toEqual({ Alpha: [1, 2], Beta: [0, 2], unknown: [0, 1] });
    expect(counts["smtp/beta.yaml#probe-x"]).toEqual({ Alpha: [0, 2], Beta: [2, 2], unknown: [0, 1] });
    // no example ran probe y: its rule has nothing counted
    expect(counts["smtp/alpha.yaml#probe-y"]).toBeUndefined();
  });

  it("refuses to train when a rule has no trained entry", () => {
    // probe y is in no example: its rule would speak with its prior alone
    expect(() => train(files, examples, 2, null)).toThrow(/no trained entry.*probe-y/);
  });

  it("names the product, its version from the capture group and its range from the ladder", () => {
    const withY = [...examples, { ...example("a3", "Alpha", "220 h ESMTP Alpha 2.2", 500) }];
    withY[5]?.features.set("probe.y", "250 ok");
    const model = new Model(files, train(files, withY, 2, null), uniform);
    const answer = model.identify("smtp", extractFeatures(view("220 h ESMTP Alpha 2.3", [probe("x", 500)])));
    expect(answer).toMatchObject({
      product: "Alpha",
      vendor: "Alpha Inc.",
      version: "2.3",
      version_range: ">=2",
    });
    expect(answer.confidence).toBeGreaterThan(0.8);
    expect(answer.evidence.map((e) => e.rule).sort()).toEqual([
      "smtp/alpha.yaml#banner",
      "smtp/alpha.yaml#probe-x",
    ]);
    expect(answer.alternatives[0]?.product).toBeDefined();
  });

  it("tells products apart without a banner, and says unknown when nothing fits", () => {
    const model = new Model(files, emptyModelData(files), uniform);
    expect(model.identify("smtp", extractFeatures(view("220 h ESMTP", [probe("x", 502)]))).product).toBe(
      "Beta",
    );
    const none = model.identify("smtp", extractFeatures(view("220 h ESMTP", [probe("x", 421)])));
    expect(none.product).toBe(UNKNOWN);
    expect(none.vendor).toBeNull();
    expect(none.evidence).toEqual([]);
  });

  it("reads a product naming itself as one observation, and keeps the word of an unknown one", () => {
    const names = `  - id: name-a\n    feature: banner\n    names: true\n    pattern: '\\bAlphaMail\\b'\n  - id: name-b\n    feature: banner\n    names: true\n    pattern: '\\bAlpha-MTA\\b'\n    os: 'Solaris'\n`;
    const model = new Model(toyRules({ alpha: names }), emptyModelData(), uniform);
    const one = model.identify("smtp", extractFeatures(view("220 h AlphaMail ready")));
    const other = model.identify("smtp", extractFeatures(view("220 h Alpha-MTA ready")));
    expect(one.product).toBe("Alpha");
    expect(other.product).toBe("Alpha");
    expect(other.os).toBe("Solaris");
    // either shape alone is the whole of the names unit: the other not firing costs nothing
    expect(one.confidence).toBeCloseTo(other.confidence, 6);
    const foreign = model.identify("smtp", extractFeatures(view("220 h ESMTP FooMail 2.1 ready")));
    expect(foreign.product).toBe(UNKNOWN);
    expect(foreign.hint).toBe("FooMail");
  });

  it("reads a test that several products' files repeat as one observation", () => {
    // Alpha and Beta both claim a bare "ESMTP" greeting; Gamma's file has only its own rule.
    const shared = `  - id: bare\n    feature: banner\n    pattern: '^220 \\S+ ESMTP$'\n`;
    const model = new Model(toyRules({ alpha: shared, beta: shared }), emptyModelData(), uniform);
    const unknownScore = (m: Model) => {
      const scored = m.score("smtp", extractFeatures(view("220 h ESMTP")));
      return scored.logLikelihood[scored.classes.indexOf(UNKNOWN)] ?? 0;
    };
    // the unknown class pays for the bare greeting once, not once per file that names it
    const withOne = new Model(toyRules({ alpha: shared }), emptyModelData(), uniform);
    expect(unknownScore(model)).toBeCloseTo(unknownScore(withOne), 9);
  });

  it("weighs the evidence by the prior, the world's or the run's", () => {
    const model = new Model(files, emptyModelData(files), uniform);
    const bare = extractFeatures(view("220 h ESMTP"));
    const before = model.identify("smtp", bare);
    const scored = model.score("smtp", bare);
    model.runPriors.set(
      "smtp",
      Float64Array.from(scored.classes, (c) => (c === "Beta" ? 0.9 : 0.05)),
    );
    const after = model.identify("smtp", bare);
    expect(after.product).toBe("Beta");
    expect(after.confidence).toBeGreaterThan(before.confidence);
  });

  it("uses priors alone before any training", () => {
    const model = new Model(files, emptyModelData(files), uniform);
    expect(model.identify("smtp", extractFeatures(view("220 h ESMTP Beta"))).product).toBe("Beta");
    expect(model.candidates("ssh")).toEqual([]);
  });

  it("finds a model stale when rules were renamed or added since training", () => {
    const data = { ...emptyModelData(files), rules: ["smtp/alpha.yaml#old-name"] };
    const stale = staleRules(files, data);
    expect(stale.gone).toEqual(["smtp/alpha.yaml#old-name"]);
    expect(stale.untrained).toContain("smtp/alpha.yaml#banner");
    expect(new StaleModelError(stale).message).toMatch(/npm run train/);
  });
});

describe("calibration", () => {
  it("softens an overconfident model and never sharpens one", () => {
    const confidentlyWrong: HeldOut[] = Array.from({ length: 10 }, (_, i) => ({
      index: i,
      protocol: "smtp",
      truth: i < 7 ? 0 : 1,
      classes: ["A", "B"],
      logLikelihood: Float64Array.from([0, -10]),
      logPrior: Float64Array.from([Math.log(0.5), Math.log(0.5)]),
      level: "probes" as const,
    }));
    const t = fitTemperature(confidentlyWrong);
    expect(t).toBeGreaterThan(5);
    // at the fitted temperature the top probability is about the 70 % it earns
    expect(1 / (1 + Math.exp(-10 / t))).toBeCloseTo(0.7, 1);
    const allRight = confidentlyWrong.map((h) => ({ ...h, truth: 0 }));
    expect(fitTemperature(allRight)).toBeLessThan(1.001);
  });

  it("gives a protocol its own temperature only where it has enough held-out examples", () => {
    const point = (i: number, protocol: string, right: boolean): HeldOut => ({
      index: i,
      protocol,
      truth: right ? 0 : 1,
      classes: ["A", "B"],
      logLikelihood: Float64Array.from([0, -10]),
      logPrior: Float64Array.from([Math.log(0.5), Math.log(0.5)]),
      level: "banner",
    });
    // SMTP is right 70 % of the time at full confidence, SSH always: SMTP needs softening, SSH not
    const smtp = Array.from({ length: 200 }, (_, i) => point(i, "smtp", i % 10 < 7));
    const ssh = Array.from({ length: 150 }, (_, i) => point(200 + i, "ssh", true));
    const few = Array.from({ length: 20 }, (_, i) => point(400 + i, "imap", true));
    const fit = fitTemperatures([...smtp, ...ssh, ...few]);
    expect(temperatureFor(fit, "smtp", "banner")).toBeGreaterThan(5);
    expect(temperatureFor(fit, "ssh", "banner")).toBeLessThan(1.001);
    // too few IMAP examples: IMAP shares the level's temperature; smtps reads SMTP's
    expect(temperatureFor(fit, "imap", "banner")).toBe(fit.temperatures.banner);
    expect(temperatureFor(fit, "smtps", "banner")).toBe(fit.temperatures["smtp/banner"]);
    // a level nothing was fitted for falls back to the overall temperature
    expect(temperatureFor(fit, "smtp", "probes")).toBe(fit.temperature);
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
