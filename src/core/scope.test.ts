import { describe, expect, it } from "vitest";
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
