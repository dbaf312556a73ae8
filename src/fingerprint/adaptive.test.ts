import { describe, expect, it } from "vitest";
import { probe, toyRules, view } from "../../test/support/toy-rules.js";
import { loadProbes } from "../protocols/smtp/probe-catalogue.js";
import { expectedGain, probePlanner } from "./adaptive.js";
import { emptyModelData, loadModel, Model } from "./model.js";

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

describe("the probe planner on the real model", () => {
  const model = loadModel();
  const probes = [...loadProbes().keys()];

  it("prunes unlikely outcomes without changing the gains it ranks by", () => {
    // a bare banner names no product: hundreds of candidates stay alive, the costly case
    for (const banner of ["220 bench ESMTP", "220 mail.example.org ESMTP ready"]) {
      const exact = probes.map((p) => expectedGain(model, view(banner), p, 0));
      const pruned = probes.map((p) => expectedGain(model, view(banner), p));
      pruned.forEach((gain, i) => {
        expect(gain).toBeLessThanOrEqual((exact[i] as number) + 1e-9);
        expect(gain).toBeGreaterThan((exact[i] as number) - 0.005);
      });
      const best = (gains: number[]) => gains.indexOf(Math.max(...gains));
      expect(probes[best(pruned)]).toBe(probes[best(exact)]);
    }
  });
});
