import { describe, expect, it } from "vitest";
import { UnionFind } from "./union-find.js";

describe("UnionFind", () => {
  it("starts with singletons and merges sets", () => {
    const sets = new UnionFind(2);
    const ids = Array.from({ length: 6 }, () => sets.add());
    expect(ids).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sets.same(0, 1)).toBe(false);
    sets.union(0, 1);
    sets.union(2, 3);
    expect(sets.same(0, 1)).toBe(true);
    expect(sets.same(1, 2)).toBe(false);
    sets.union(1, 3);
    expect(sets.same(0, 2)).toBe(true);
    expect(sets.setSize(3)).toBe(4);
    expect(sets.setSize(4)).toBe(1);
    expect(sets.union(0, 3)).toBe(sets.find(2));
  });

  it("grows past its initial capacity and keeps long chains shallow", () => {
    const sets = new UnionFind(1);
    const n = 100_000;
    for (let i = 0; i < n; i++) sets.add();
    // a chain built the worst way round still ends as one set of n
    for (let i = 1; i < n; i++) sets.union(i, i - 1);
    expect(sets.size).toBe(n);
    expect(sets.setSize(0)).toBe(n);
    const root = sets.find(n - 1);
    for (let i = 0; i < n; i += 997) expect(sets.find(i)).toBe(root);
  });

  it("refuses ids it never gave out", () => {
    const sets = new UnionFind();
    sets.add();
    expect(() => sets.find(1)).toThrow(RangeError);
    expect(() => sets.find(-1)).toThrow(RangeError);
    expect(() => sets.union(0, 0.5)).toThrow(RangeError);
  });
});
