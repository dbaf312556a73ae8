import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { formatV4 } from "./address-value.js";
import { Deduper } from "./dedupe.js";

describe("Deduper", () => {
  it("says whether an address was seen before, for both families", () => {
    const seen = new Deduper();
    expect(seen.seen("192.0.2.1")).toBe(false);
    expect(seen.seen("192.0.2.1")).toBe(true);
    expect(seen.seen("192.0.2.2")).toBe(false);
    expect(seen.seen("0.0.0.0")).toBe(false);
    expect(seen.seen("255.255.255.255")).toBe(false);
    expect(seen.seen("255.255.255.255")).toBe(true);
    expect(seen.seen("2001:db8::1")).toBe(false);
    expect(seen.seen("2001:DB8:0:0::1")).toBe(true);
    expect(seen.seen("::ffff:192.0.2.1")).toBe(true);
    expect(seen.size).toBe(5);
    expect(() => seen.seen("192.0.2")).toThrow(InputError);
  });

  it("is exact over a long stream with repeats, and pays 8 KiB per /16 touched", () => {
    const dedupe = new Deduper();
    const reference = new Set<string>();
    let disagreements = 0;
    let x = 7;
    for (let i = 0; i < 200_000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      // 20 /16s, so repeats are common
      const ip = formatV4(((0xc6120000 + (x % 20) * 65_536) | (x >>> 20)) >>> 0);
      const expected = reference.has(ip);
      reference.add(ip);
      if (dedupe.seen(ip) !== expected) disagreements += 1;
    }
    expect(disagreements).toBe(0);
    expect(dedupe.size).toBe(reference.size);
    expect(dedupe.v4PageBytes).toBe(20 * 8192);
  });

  it("keeps sparse /16s small and turns a full one into a bitmap without losing anything", () => {
    const scattered = new Deduper();
    for (let i = 0; i < 1000; i++) scattered.seen(formatV4((i * 65_536 + 7) >>> 0));
    expect(scattered.v4PageBytes).toBe(1000 * 4 * 2); // a 4-entry Uint16Array each

    const dense = new Deduper();
    // descending, so every insert lands at the front of the sorted page
    for (let low = 4095; low >= 0; low--) dense.seen(formatV4(0x0a000000 + low * 16));
    expect(dense.v4PageBytes).toBe(8192); // 4,096 two-byte entries
    expect(dense.seen(formatV4(0x0a000001))).toBe(false); // the bitmap takes over
    expect(dense.v4PageBytes).toBe(8192);
    let again = 0;
    for (let low = 0; low < 4096; low++) if (dense.seen(formatV4(0x0a000000 + low * 16))) again += 1;
    expect(again).toBe(4096);
    expect(dense.seen(formatV4(0x0a000001))).toBe(true);
    expect(dense.size).toBe(4097);
  });
});
