import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { formatV4 } from "./address-value.js";
import { addressHash, inShard, MAX_SHARDS, parseShard } from "./shard.js";

/** FNV-1a 64 the slow, obvious way, to check the 32-bit-limb version */
function referenceFnv(bytes: readonly number[]): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}

function fmix32(input: number): number {
  let h = input;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function referenceHash(bytes: readonly number[]): number {
  const h = referenceFnv(bytes);
  return fmix32((Number(h & 0xffffffffn) ^ fmix32(Number(h >> 32n))) >>> 0);
}

describe("parseShard", () => {
  it("takes 0-based I/N", () => {
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard(" 2 / 3 ")).toEqual({ index: 2, count: 3 });
    expect(parseShard(`0/${MAX_SHARDS}`).count).toBe(MAX_SHARDS);
  });

  it("refuses the rest with one line", () => {
    for (const bad of [
      "3/3",
      "1/0",
      "0/0",
      "-1/3",
      "1",
      "1/2/3",
      "a/b",
      "1.5/3",
      "",
      `0/${MAX_SHARDS + 1}`,
    ]) {
      expect(() => parseShard(bad), bad).toThrow(InputError);
    }
    expect(() => parseShard("3/3")).toThrow(
      '--shard takes I/N with 0 ≤ I < N ≤ 65536 (I counts from 0, like zmap): "3/3"',
    );
  });
});

describe("inShard", () => {
  it("hashes with FNV-1a 64 folded by fmix32, the same value everywhere", () => {
    expect(referenceFnv([...Buffer.from("a")])).toBe(0xaf63dc4c8601ec8cn); // the published test vector
    expect(addressHash("1.2.3.4")).toBe(referenceHash([1, 2, 3, 4]));
    expect(addressHash("255.255.255.255")).toBe(referenceHash([255, 255, 255, 255]));
    expect(addressHash("2001:db8::1")).toBe(
      referenceHash([0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), 1]),
    );
    // pinned, so a change of hash (which would reshuffle every shard) cannot pass unnoticed
    expect(["1.2.3.4", "8.8.8.8", "2001:db8::1"].map(addressHash)).toEqual([
      3640988729, 353609415, 2586977523,
    ]);
  });

  it("treats one address the same however it is written", () => {
    expect(addressHash("::ffff:1.2.3.4")).toBe(addressHash("1.2.3.4"));
    expect(addressHash("2001:DB8:0::1")).toBe(addressHash("2001:db8::1"));
    expect(() => addressHash("nope")).toThrow(InputError);
  });

  it("splits 100,000 targets into disjoint, balanced shards whose union is the whole", () => {
    const count = 7;
    const targets = Array.from({ length: 100_000 }, (_, i) => {
      const ip =
        i % 10 === 0
          ? `2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`
          : formatV4((0x0a000000 + i * 40_503) >>> 0);
      return { ip, port: i % 3 === 0 ? 25 : 587 };
    });
    const sizes = new Array<number>(count).fill(0);
    let homeless = 0;
    let shared = 0;
    for (const target of targets) {
      let homes = 0;
      for (let index = 0; index < count; index++) {
        if (inShard(target.ip, { index, count })) {
          homes += 1;
          sizes[index] = (sizes[index] as number) + 1;
        }
      }
      if (homes === 0) homeless += 1;
      if (homes > 1) shared += 1;
    }
    expect({ homeless, shared }).toEqual({ homeless: 0, shared: 0 });
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100_000);
    // each shard's size is binomial(100000, 1/7): mean 14,286, sd 111; 3 % is ~4 sd
    for (const size of sizes) expect(Math.abs(size - 100_000 / count)).toBeLessThan(0.03 * (100_000 / count));
  });

  it("puts everything in the only shard of one", () => {
    expect(inShard("192.0.2.1", { index: 0, count: 1 })).toBe(true);
    expect(inShard("2001:db8::25", { index: 0, count: 1 })).toBe(true);
  });
});
