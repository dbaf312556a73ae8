import { describe, expect, it } from "vitest";
import { probe, toyRules, view } from "../../test/support/toy-rules.js";
import { expectedGain, probePlanner } from "./adaptive.js";
import { emptyModelData, Model } from "./model.js";

describe("the probe planner", () => {
  // the toy products are in no published survey: a uniform prior
  const model = new Model(toyRules(), emptyModelData(), { priors: null });
  const options = { threshold: 0.95, minGainBits: 0.05, maxProbes: 4, probes: ["y", "x"] };

  it("prefers the probe whose answer separates the candidates", () => {
    const stripped = view("220 h ESMTP");
    expect(expectedGain(model, stripped, "x")).toBeGreaterThan(expectedGain(model, stripped, "y"));
    expect(expectedGain(model, stripped, "nothing-reads-this")).toBe(0);
    expect(probePlanner(model, options)(stripped)).toBe("x");
  });

  it("stops when the leader is sure enough, when probes are used up, or when none helps", () => {
    expect(probePlanner(model, options)(view("220 h ESMTP Alpha", [probe("x", 500)]))).toBeNull();
    expect(
      probePlanner(model, { ...options, maxProbes: 1 })(view("220 h ESMTP", [probe("x", 421)])),
    ).toBeNull();
    expect(
      probePlanner(model, { ...options, probes: ["x"] })(view("220 h ESMTP", [probe("x", 421)])),
    ).toBeNull();
  });
});
