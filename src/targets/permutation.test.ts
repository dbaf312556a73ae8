import { describe, expect, it } from "vitest";
import { BigFeistel, createPermutation, feistelWidth, SmallFeistel } from "./permutation.js";

/** every image in [0, n) exactly once, and inverse undoes permute (one expect: they are slow) */
function expectBijection(p: { permute(i: bigint): bigint; inverse(j: bigint): bigint }, n: number): void {
  const hit = new Uint8Array(n);
  const problems: string[] = [];
  for (let i = 0; i < n; i++) {
    const j = p.permute(BigInt(i));
    if (j < 0n || j >= BigInt(n)) problems.push(`${i} -> ${j} is outside`);
    else if (hit[Number(j)] === 1) problems.push(`${j} hit twice`);
    else hit[Number(j)] = 1;
    if (p.inverse(j) !== BigInt(i)) problems.push(`inverse(${j}) is not ${i}`);
  }
  expect(problems.slice(0, 5)).toEqual([]);
}

describe("permutations", () => {
  it("picks the smallest even width that covers n", () => {
    expect(feistelWidth(1n)).toBe(2);
    expect(feistelWidth(4n)).toBe(2);
    expect(feistelWidth(5n)).toBe(4);
    expect(feistelWidth(65_537n)).toBe(18);
    expect(feistelWidth(1n << 32n)).toBe(32);
    expect(feistelWidth((1n << 32n) + 1n)).toBe(34);
    expect(feistelWidth(1n << 128n)).toBe(128);
  });

  for (const n of [1, 2, 3, 7, 1000, 65_537]) {
    it(`is a bijection on [0, ${n}) with Numbers and with bigints`, () => {
      expectBijection(new SmallFeistel(BigInt(n), "seed"), n);
      if (n <= 1000) expectBijection(new BigFeistel(BigInt(n), "seed"), n);
    });
  }

  it("gives the same permutation for a seed and another one for another seed", () => {
    const order = (seed: string) => {
      const p = createPermutation(1000n, seed);
      return Array.from({ length: 1000 }, (_, i) => p.permute(BigInt(i)));
    };
    expect(order("a")).toEqual(order("a"));
    expect(order("a")).not.toEqual(order("b"));
    const big = (seed: string) => createPermutation(1n << 100n, seed).permute(12345n);
    expect(big("a")).toBe(big("a"));
    expect(big("a")).not.toBe(big("b"));
  });

  it("is not the identity nor a shift", () => {
    const p = createPermutation(1000n, "x");
    const images = Array.from({ length: 20 }, (_, i) => p.permute(BigInt(i)));
    const steps = new Set(images.slice(1).map((j, i) => j - (images[i] as bigint)));
    expect(steps.size).toBeGreaterThan(10);
  });

  it("stays inside huge spaces and inverts there", () => {
    for (const n of [(1n << 32n) + 1n, (1n << 96n) + 12_345n, 1n << 128n]) {
      const p = createPermutation(n, "big");
      expect(p).toBeInstanceOf(BigFeistel);
      for (const i of [0n, 1n, n / 2n, n - 1n]) {
        const j = p.permute(i);
        expect(j >= 0n && j < n).toBe(true);
        expect(p.inverse(j)).toBe(i);
      }
    }
  });

  it("uses Numbers up to 2^32 and refuses what is out of range", () => {
    const p = createPermutation(1n << 32n, "s");
    expect(p).toBeInstanceOf(SmallFeistel);
    const top = p.permute((1n << 32n) - 1n);
    expect(p.inverse(top)).toBe((1n << 32n) - 1n);
    expect(() => p.permute(1n << 32n)).toThrow(RangeError);
    expect(() => createPermutation(0n, "s")).toThrow(RangeError);
    expect(() => createPermutation((1n << 128n) + 1n, "s")).toThrow(RangeError);
  });
});
