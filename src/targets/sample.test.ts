import { describe, expect, it } from "vitest";
import { parseAddressValue, parseV4Number } from "./address-value.js";
import { Exclusion, parseExcludeList } from "./exclusions.js";
import { spaceFromCidrs } from "./range-set.js";
import { sampleAddresses } from "./sample.js";

/**
 * The chi-squared critical value for `df` degrees of freedom at upper-tail probability p, by the
 * Wilson–Hilferty approximation: (X/df)^(1/3) is nearly normal with mean 1 − 2/(9df) and
 * variance 2/(9df), so X_crit ≈ df·(1 − 2/(9df) + z·√(2/(9df)))³ with z the normal quantile
 * (3.0902 for p = 0.001). For df in the hundreds it is within 0.1 % of the exact value.
 */
function chiSquaredCritical(df: number, z = 3.090232): number {
  const v = 2 / (9 * df);
  return df * (1 - v + z * Math.sqrt(v)) ** 3;
}

describe("sampleAddresses", () => {
  it("yields distinct addresses of the space, the same ones for the same seed", () => {
    const space = spaceFromCidrs(["198.18.0.0/24", "1.2.3.0/25", "2001:db8::/120"]);
    const sample = sampleAddresses(space, 300, "s1");
    expect(sample.spaceSize).toBe(256n + 128n + 256n);
    expect(sample.count).toBe(300n);
    expect(sample.everything).toBe(false);
    const first = [...sample];
    expect(first.length).toBe(300);
    expect(new Set(first).size).toBe(300);
    for (const ip of first) {
      const { family, value } = parseAddressValue(ip);
      expect((family === 4 ? space.v4 : space.v6).contains(value), ip).toBe(true);
    }
    expect([...sample]).toEqual(first);
    expect([...sampleAddresses(space, 300, "s1")]).toEqual(first);
    expect([...sampleAddresses(space, 300, "s2")]).not.toEqual(first);
    // both families turn up
    expect(first.some((ip) => ip.includes(":"))).toBe(true);
    expect(first.some((ip) => !ip.includes(":"))).toBe(true);
  });

  it("yields the whole space when asked for more, and says so", () => {
    const space = spaceFromCidrs(["10.0.0.0/30", "10.0.0.8/31", "::1/128"]);
    const sample = sampleAddresses(space, 100n, "x");
    expect(sample).toMatchObject({ spaceSize: 7n, count: 7n, everything: true });
    expect([...sample].sort()).toEqual(
      ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.8", "10.0.0.9", "::1"].sort(),
    );
    expect([...sampleAddresses(spaceFromCidrs([]), 5, "x")]).toEqual([]);
    expect(() => sampleAddresses(space, -1, "x")).toThrow(RangeError);
    expect(() => sampleAddresses(space, 1.5, "x")).toThrow(RangeError);
  });

  it("samples huge IPv6 spaces", () => {
    const space = spaceFromCidrs(["2000::/3"]);
    const sample = [...sampleAddresses(space, 1000, "v6")];
    expect(new Set(sample).size).toBe(1000);
    expect(sample.every((ip) => /^[23][0-9a-f]{3}:/.test(ip))).toBe(true);
  });

  it("never yields an excluded address", () => {
    const exclusion = new Exclusion([
      { kind: "exclude", reason: "--exclude", space: parseExcludeList("0.0.0.0/1\n160.0.0.0/3\n", "list") },
    ]);
    const space = exclusion.apply(spaceFromCidrs(["0.0.0.0/0"]));
    expect(space.v4.size()).toBe((1n << 31n) - (1n << 29n));
    const excluded = exclusion.rules[0]?.space.v4;
    let bad = 0;
    for (const ip of sampleAddresses(space, 50_000, "no")) {
      if (excluded?.containsNumber(parseV4Number(ip) as number)) bad += 1;
    }
    expect(bad).toBe(0);
  });

  it("is roughly uniform over the public IPv4 space (chi-squared over /8s, p = 0.001)", async () => {
    const exclusion = await Exclusion.build();
    const space = exclusion.apply(spaceFromCidrs(["0.0.0.0/0"]));
    const n = 200_000;
    const observed = new Array<number>(256).fill(0);
    for (const ip of sampleAddresses(space, n, "chi-squared")) {
      const top = (parseV4Number(ip) as number) >>> 24;
      observed[top] = (observed[top] as number) + 1;
    }
    const total = Number(space.v4.size());
    let statistic = 0;
    let bins = 0;
    for (let top = 0; top < 256; top++) {
      const slash8 = spaceFromCidrs([`${top}.0.0.0/8`]).v4;
      const expected = (n * Number(space.v4.intersect(slash8).size())) / total;
      const seen = observed[top] as number;
      if (expected === 0) {
        expect(seen, `${top}/8 is excluded`).toBe(0);
        continue;
      }
      bins += 1;
      statistic += (seen - expected) ** 2 / expected;
    }
    // 256 /8s minus 0/8, 10/8, 127/8 and 224/8-255/8 (multicast, reserved)
    expect(bins).toBe(221);
    // the statistic of a uniform sample follows chi-squared with bins − 1 degrees of freedom
    // (the counts sum to n); a fixed seed makes the outcome fixed, the threshold makes it fair
    const critical = chiSquaredCritical(bins - 1);
    expect(critical).toBeCloseTo(290.6, 0);
    expect(statistic).toBeLessThan(critical);
  });
});
