import { describe, expect, it } from "vitest";
import { populationEstimate, wilson } from "./estimates.js";

describe("wilson", () => {
  // Newcombe, "Two-sided confidence intervals for the single proportion", Statistics in Medicine
  // 17 (1998) 857–872, table II, method 3 (score interval without continuity correction), to the
  // four places printed there. 0/10 and 5/10 also check by hand: 0/n gives [0, z²/(n+z²)] =
  // [0, 3.8416/13.8416] = [0, 0.2775]; 5/10 is centred on 0.5 with half-width
  // (1.96/1.38416)·√(0.025 + 0.009604) = 0.2634.
  const published: Array<[number, number, number, number]> = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
  ];
  for (const [successes, n, low, high] of published) {
    it(`${successes} of ${n} is [${low}, ${high}]`, () => {
      const interval = wilson(successes, n);
      expect(interval.p).toBeCloseTo(successes / n, 12);
      expect(interval.low).toBeCloseTo(low, 4);
      expect(interval.high).toBeCloseTo(high, 4);
    });
  }

  it("is symmetric: k of n mirrors n−k of n", () => {
    const a = wilson(3, 17);
    const b = wilson(14, 17);
    expect(a.low).toBeCloseTo(1 - b.high, 12);
    expect(a.high).toBeCloseTo(1 - b.low, 12);
  });

  it("ends exactly at 0 and 1, and is [0, 1] with no trials", () => {
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(10, 10).high).toBe(1);
    expect(wilson(0, 0)).toEqual({ p: 0, low: 0, high: 1 });
  });

  it("a 90 % interval lies inside the 95 % one", () => {
    const ninety = wilson(81, 263, 1.6449);
    const ninetyFive = wilson(81, 263);
    expect(ninety.low).toBeGreaterThan(ninetyFive.low);
    expect(ninety.high).toBeLessThan(ninetyFive.high);
  });

  it("refuses counts that are not counts", () => {
    expect(() => wilson(11, 10)).toThrow(RangeError);
    expect(() => wilson(-1, 10)).toThrow(RangeError);
    expect(() => wilson(1.5, 10)).toThrow(RangeError);
    expect(() => wilson(1, 10, 0)).toThrow(RangeError);
  });
});

describe("populationEstimate", () => {
  it("scales the proportion and its interval by the space's size", () => {
    // djb 2000: 908 SMTP servers among 1 M random addresses, of a 2^32 space
    const estimate = populationEstimate(908, 1_000_000, 2 ** 32);
    expect(estimate.estimate).toBeCloseTo(2 ** 32 * 908e-6, 3);
    expect(estimate.estimateLow).toBeLessThan(estimate.estimate);
    expect(estimate.estimateHigh).toBeGreaterThan(estimate.estimate);
    expect(estimate.estimateLow / 2 ** 32).toBeCloseTo(wilson(908, 1_000_000).low, 12);
  });

  it("refuses a space smaller than the sample", () => {
    expect(() => populationEstimate(1, 10, 5)).toThrow(RangeError);
  });
});
