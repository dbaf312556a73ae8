import { describe, expect, it } from "vitest";
import { parseAddressValue } from "./address-value.js";
import { RangeSet, spaceFromCidrs, spaceSize } from "./range-set.js";

const v4 = (ip: string) => parseAddressValue(ip).value;
const text = (set: RangeSet) => set.ranges().map((r) => `${r.first}-${r.last}`);
const MAX4 = (1n << 32n) - 1n;
const MAX6 = (1n << 128n) - 1n;

describe("RangeSet", () => {
  it("merges overlapping, nested and adjacent ranges, added in any order", () => {
    const set = new RangeSet(4)
      .add({ family: 4, first: 20n, last: 29n })
      .add({ family: 4, first: 0n, last: 9n })
      .add({ family: 4, first: 10n, last: 14n }) // adjacent to 0-9
      .add({ family: 4, first: 22n, last: 25n }) // nested
      .add({ family: 4, first: 28n, last: 35n }) // overlapping
      .add({ family: 4, first: 40n, last: 40n })
      .add({ family: 4, first: 40n, last: 40n }); // duplicate
    expect(text(set)).toEqual(["0-14", "20-35", "40-40"]);
    expect(set.size()).toBe(15n + 16n + 1n);
    expect(set.rangeCount).toBe(3);
  });

  it("keeps adding after a query", () => {
    const set = new RangeSet(4).add({ family: 4, first: 5n, last: 5n });
    expect(set.size()).toBe(1n);
    set.add({ family: 4, first: 6n, last: 6n }).add({ family: 4, first: 1n, last: 1n });
    expect(text(set)).toEqual(["1-1", "5-6"]);
  });

  it("answers contains at range edges and the 0 and 2^32-1 boundaries", () => {
    const set = RangeSet.fromCidrs(4, ["0.0.0.0/31", "10.0.0.0/8", "255.255.255.255/32"]);
    for (const ip of ["0.0.0.0", "0.0.0.1", "10.0.0.0", "10.255.255.255", "255.255.255.255"]) {
      expect(set.contains(v4(ip)), ip).toBe(true);
    }
    for (const ip of ["0.0.0.2", "9.255.255.255", "11.0.0.0", "255.255.255.254"]) {
      expect(set.contains(v4(ip)), ip).toBe(false);
    }
    expect(set.contains(-1n)).toBe(false);
    expect(set.contains(MAX4 + 1n)).toBe(false);
    expect(new RangeSet(4).contains(0n)).toBe(false);
  });

  it("finds the index-th address across ranges, and refuses indexes outside", () => {
    const set = RangeSet.fromCidrs(4, ["0.0.0.0/31", "10.0.0.0/30", "255.255.255.255/32"]);
    const all = [...set.values()];
    expect(all.length).toBe(7);
    all.forEach((value, i) => {
      expect(set.addressAt(BigInt(i))).toBe(value);
      expect(set.addressAtNumber(i)).toBe(Number(value));
    });
    expect(set.addressAt(6n)).toBe(MAX4);
    expect(() => set.addressAt(7n)).toThrow(RangeError);
    expect(() => set.addressAt(-1n)).toThrow(RangeError);
    expect(() => new RangeSet(6).addressAt(0n)).toThrow(RangeError);
    expect([...set.addresses()]).toEqual([
      "0.0.0.0",
      "0.0.0.1",
      "10.0.0.0",
      "10.0.0.1",
      "10.0.0.2",
      "10.0.0.3",
      "255.255.255.255",
    ]);
  });

  it("holds IPv4 /0 and IPv6 /0 as one range each", () => {
    const all4 = RangeSet.fromCidrs(4, ["0.0.0.0/0"]);
    expect(all4.size()).toBe(1n << 32n);
    expect(all4.addressAt(MAX4)).toBe(MAX4);
    expect(all4.addressAtNumber(2 ** 32 - 1)).toBe(2 ** 32 - 1);
    const all6 = RangeSet.fromCidrs(6, ["::/0", "2001:db8::/32"]);
    expect(all6.rangeCount).toBe(1);
    expect(all6.size()).toBe(1n << 128n);
    expect(all6.addressAt(MAX6)).toBe(MAX6);
    expect(all6.contains(MAX6)).toBe(true);
  });

  it("subtracts: holes, edges, everything, nothing", () => {
    const all = RangeSet.fromCidrs(4, ["0.0.0.0/0"]);
    const cut = RangeSet.fromCidrs(4, ["0.0.0.0/8", "10.0.0.0/8", "255.255.255.255/32"]);
    const rest = all.subtract(cut);
    expect(rest.size()).toBe((1n << 32n) - 2n * (1n << 24n) - 1n);
    expect(text(rest)).toEqual([`${1n << 24n}-${v4("9.255.255.255")}`, `${v4("11.0.0.0")}-${MAX4 - 1n}`]);
    expect(all.subtract(all).isEmpty()).toBe(true);
    expect(all.subtract(new RangeSet(4)).size()).toBe(1n << 32n);
    expect(new RangeSet(4).subtract(all).isEmpty()).toBe(true);
    // the operands are untouched
    expect(all.size()).toBe(1n << 32n);
    // one cut spanning several ranges, and cuts touching range edges
    const pieces = new RangeSet(4)
      .add({ family: 4, first: 0n, last: 9n })
      .add({ family: 4, first: 20n, last: 29n })
      .add({ family: 4, first: 40n, last: 49n });
    const cuts = new RangeSet(4)
      .add({ family: 4, first: 5n, last: 44n })
      .add({ family: 4, first: 49n, last: 60n });
    expect(text(pieces.subtract(cuts))).toEqual(["0-4", "45-48"]);
  });

  it("subtracts IPv6 at the top of the space", () => {
    const all = RangeSet.fromCidrs(6, ["::/0"]);
    const rest = all.subtract(RangeSet.fromCidrs(6, ["ff00::/8", "::/128"]));
    expect(rest.size()).toBe((1n << 128n) - (1n << 120n) - 1n);
    expect(rest.contains(0n)).toBe(false);
    expect(rest.contains(1n)).toBe(true);
    expect(rest.contains(MAX6)).toBe(false);
  });

  it("intersects", () => {
    const a = RangeSet.fromCidrs(4, ["10.0.0.0/8", "192.168.0.0/16"]);
    const b = RangeSet.fromCidrs(4, ["10.1.0.0/16", "192.0.0.0/8"]);
    expect(a.intersect(b).size()).toBe(65_536n * 2n);
  });

  it("refuses ranges of the other family or out of bounds", () => {
    expect(() => new RangeSet(4).addCidr("::/0")).toThrow(RangeError);
    expect(() => new RangeSet(4).add({ family: 4, first: 0n, last: MAX4 + 1n })).toThrow(RangeError);
    expect(() => new RangeSet(4).add({ family: 4, first: 5n, last: 4n })).toThrow(RangeError);
    expect(() => new RangeSet(6).containsNumber(1)).toThrow(RangeError);
    expect(() => new RangeSet(6).addNumbers(1, 2)).toThrow(RangeError);
    expect(() => new RangeSet(4).addNumbers(0, 2 ** 32)).toThrow(RangeError);
    expect(() => new RangeSet(4).addNumbers(0.5, 2)).toThrow(RangeError);
    expect(text(new RangeSet(4).addNumbers(3, 4).addNumbers(0, 2))).toEqual(["0-4"]);
  });

  it("merges a million unsorted /32s quickly, in memory that follows the ranges", () => {
    const set = new RangeSet(4);
    let x = 12345;
    for (let i = 0; i < 1_000_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      set.add({ family: 4, first: BigInt(x), last: BigInt(x) });
    }
    const started = performance.now();
    set.freeze();
    const ms = performance.now() - started;
    expect(set.rangeCount).toBeGreaterThan(900_000);
    expect(set.size()).toBeLessThanOrEqual(1_000_000n);
    expect(ms).toBeLessThan(3000);
    expect(set.contains(BigInt(x))).toBe(true);
  });

  it("adds spaces of both families", () => {
    const space = spaceFromCidrs(["10.0.0.0/24", "2001:db8::/120", "10.0.0.128/25"]);
    expect(space.v4.size()).toBe(256n);
    expect(space.v6.size()).toBe(256n);
    expect(spaceSize(space)).toBe(512n);
  });
});
