import { describe, expect, it } from "vitest";
import { catalogue, resolveProduct, UNKNOWN } from "./model.js";
import { classPrior, loadPriors, priorOf, unresolvedNames } from "./priors.js";
import { loadRules } from "./rules.js";

describe("the world prior (rules/priors.yaml)", () => {
  const priors = loadPriors();
  const products = catalogue(loadRules());

  it("names every figure's source, and every name is a product with rules or listed outside", () => {
    expect(priors).not.toBeNull();
    for (const protocol of ["smtp", "ssh", "imap", "pop3", "http"] as const) {
      const resolve = (name: string) => {
        const cls = resolveProduct(products, protocol, name);
        return cls === UNKNOWN ? null : cls;
      };
      expect(unresolvedNames(priorOf(priors, protocol), resolve), protocol).toEqual([]);
    }
  });

  it("sums to one, keeps every product reachable and follows the published order", () => {
    const classes = [...products.filter((p) => p.protocols.has("smtp")).map((p) => p.product), UNKNOWN];
    const resolve = (name: string) => {
      const cls = resolveProduct(products, "smtp", name);
      return cls === UNKNOWN ? null : cls;
    };
    const prior = classPrior(classes, UNKNOWN, priorOf(priors, "smtp"), resolve);
    const of = (name: string) => prior[classes.indexOf(name)] ?? 0;
    expect(prior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(Math.min(...prior)).toBeGreaterThan(0);
    expect(of("Exim")).toBeGreaterThan(of("Postfix"));
    expect(of("Postfix")).toBeGreaterThan(of("Sendmail"));
    expect(of("Sendmail")).toBeGreaterThan(of("Haraka"));
    expect(of(UNKNOWN)).toBeGreaterThanOrEqual(priorOf(priors, "smtp")?.unknown ?? 0);
  });

  it("is uniform, unknown included, when there are no figures", () => {
    const prior = classPrior(["A", "B", UNKNOWN], UNKNOWN, undefined, () => null);
    expect([...prior].map((p) => p.toFixed(6))).toEqual(["0.333333", "0.333333", "0.333333"]);
  });
});
