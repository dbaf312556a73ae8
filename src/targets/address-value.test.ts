import { describe, expect, it } from "vitest";
import { addressFromBigint, parseCidr } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import {
  cidrRange,
  formatAddress,
  formatV4,
  formatV6,
  parseAddressValue,
  parseV4Number,
  parseV4Range,
} from "./address-value.js";

describe("address values", () => {
  it("parses strict dotted quads by hand", () => {
    expect(parseV4Number("0.0.0.0")).toBe(0);
    expect(parseV4Number("255.255.255.255")).toBe(2 ** 32 - 1);
    expect(parseV4Number("192.0.2.1")).toBe(0xc0000201);
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "1..2.3",
      "1.2.3.",
      "0x7f.0.0.1",
      "1.2.3.0001",
      " 1.2.3.4",
    ]) {
      expect(parseV4Number(bad), bad).toBeUndefined();
    }
  });

  it("prints and parses both families, IPv4-mapped as IPv4", () => {
    expect(formatV4(0xc0000201)).toBe("192.0.2.1");
    expect(formatV4(2 ** 32 - 1)).toBe("255.255.255.255");
    expect(parseAddressValue("::ffff:192.0.2.1")).toEqual({ family: 4, value: 0xc0000201n });
    const v6 = parseAddressValue("2001:db8::1");
    expect(v6).toEqual({ family: 6, value: (0x20010db8n << 96n) + 1n });
    expect(formatAddress(6, v6.value)).toBe("2001:db8::1");
    expect(() => parseAddressValue("127.1")).toThrow(InputError);
    expect(() => parseAddressValue("example.com")).toThrow(InputError);
  });

  it("gives a CIDR's first and last address", () => {
    expect(cidrRange(parseCidr("10.0.0.0/8"))).toEqual({ family: 4, first: 0x0a000000n, last: 0x0affffffn });
    expect(cidrRange(parseCidr("::/0"))).toEqual({ family: 6, first: 0n, last: (1n << 128n) - 1n });
  });
});

describe("parseV4Range", () => {
  it("reads addresses and IPv4 CIDRs, clearing host bits like parseCidr", () => {
    expect(parseV4Range("192.0.2.1")).toEqual({ first: 0xc0000201, last: 0xc0000201 });
    expect(parseV4Range("192.0.2.77/24")).toEqual({ first: 0xc0000200, last: 0xc00002ff });
    expect(parseV4Range("0.0.0.0/0")).toEqual({ first: 0, last: 2 ** 32 - 1 });
    expect(parseV4Range("255.255.255.255/32")).toEqual({ first: 2 ** 32 - 1, last: 2 ** 32 - 1 });
    for (const bad of ["1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3/8", "::/0", "1.2.3.4/8/8"]) {
      expect(parseV4Range(bad), bad).toBeUndefined();
    }
  });
});

describe("formatV6", () => {
  it("prints what ipaddr.js prints (RFC 5952)", () => {
    const values = [0n, 1n, (1n << 128n) - 1n, 0x20010db8n << 96n, (0x20010db8n << 96n) | (1n << 48n) | 1n];
    values.push(0xffffn << 32n, (1n << 112n) | (1n << 64n)); // IPv4-mapped; two equal zero runs
    let x = 0x9e3779b97f4a7c15f39cc0605cedc834n;
    for (let i = 0; i < 2000; i++) {
      x = BigInt.asUintN(128, x * 0x2545f4914f6cdd1dn + 0x1234567n);
      // knock out random groups so zero runs of every length and place turn up
      let v = x;
      for (let g = 0; g < 8; g++) if ((x >> BigInt(g * 7)) & 1n) v &= ~(0xffffn << BigInt(16 * g));
      values.push(v);
    }
    const wrong = values.filter((v) => formatV6(v) !== addressFromBigint(v, 16));
    expect(wrong.map((v) => [formatV6(v), addressFromBigint(v, 16)])).toEqual([]);
  });
});
