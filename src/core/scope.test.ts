import { describe, expect, it } from "vitest";
import { parseIp } from "./cidr.js";
import { parseV4Number } from "./ipv4.js";
import { Scope } from "./scope.js";

describe("Scope", () => {
  it("allows what the scope names and nothing else", () => {
    const scope = Scope.parse("127.77.0.0/16");
    expect(scope.check("127.77.1.1").allowed).toBe(true);
    expect(scope.check("127.0.0.1").allowed).toBe(false);
    expect(scope.check("8.8.8.8").allowed).toBe(false);
  });

  it("keeps special-purpose ranges out unless the scope lies inside them", () => {
    const everything = Scope.parse("0.0.0.0/0,::/0");
    for (const ip of [
      "10.1.2.3",
      "127.0.0.1",
      "100.64.0.1",
      "192.168.1.1",
      "224.0.0.1",
      "192.0.2.7",
      "::1",
      "fe80::1",
      "2001:db8::1",
    ]) {
      expect(everything.check(ip).allowed, ip).toBe(false);
    }
    expect(everything.check("8.8.8.8").allowed).toBe(true);
    expect(everything.check("2a00:1450::1").allowed).toBe(true);
    expect(Scope.parse("10.0.0.0/8").check("10.9.9.9").allowed).toBe(true);
    expect(Scope.parse("::1/128").check("::1").allowed).toBe(true);
  });

  it("treats IPv4-mapped IPv6 as IPv4", () => {
    expect(Scope.parse("127.77.0.0/16").check("::ffff:127.77.0.5").allowed).toBe(true);
  });

  it("refuses bad CIDRs with a clear message", () => {
    expect(() => Scope.parse("127.77.0.0/33")).toThrow(/not an IP address or CIDR/);
    expect(() => Scope.parse("")).toThrow(/at least one CIDR/);
  });
});

describe("the dotted-quad path of Scope.check", () => {
  // check(string) takes it; check(parsed address) takes the general one: both must agree
  const scopes = [
    "127.77.0.0/16",
    "0.0.0.0/0",
    "10.0.0.0/8,192.0.2.0/24",
    "127.0.0.0/8,::1/128",
    "198.18.0.0/15",
  ];
  const addresses = [
    "127.77.1.1",
    "127.0.0.1",
    "10.1.2.3",
    "192.0.2.255",
    "198.19.255.255",
    "8.8.8.8",
    "0.0.0.0",
    "255.255.255.255",
    "100.64.0.1",
    "224.0.0.1",
    "010.0.0.1",
    "127.077.0.1",
  ];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < 500; i++) addresses.push([24, 16, 8, 0].map((s) => (random() >>> s) & 255).join("."));

  it("gives every address the verdict the general path gives", () => {
    for (const text of scopes) {
      const scope = Scope.parse(text);
      for (const ip of addresses)
        expect({ text, ip, v: scope.check(ip) }).toEqual({ text, ip, v: scope.check(parseIp(ip)) });
    }
  });

  it("reads four decimal parts only, no leading zero", () => {
    expect(parseV4Number("127.0.0.1", false)).toBe(0x7f000001);
    expect(parseV4Number("255.255.255.255", false)).toBe(0xffffffff);
    for (const bad of [
      "127.1",
      "256.0.0.1",
      "1.2.3.4.5",
      "1..2.3",
      "01234.0.0.1",
      " 1.2.3.4",
      "::1",
      "1.2.3.",
      "",
      "010.0.0.1",
      "1.2.3.00",
    ])
      expect(parseV4Number(bad, false)).toBeUndefined();
  });
});
