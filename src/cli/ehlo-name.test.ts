import { describe, expect, it } from "vitest";
import { addressLiteral } from "../protocols/smtp/ehlo-name.js";
import { defaultEhloName, type HostFacts, isFqdn } from "./ehlo-name.js";

function facts(over: Partial<Omit<HostFacts, "hostname">> & { hostname: string }): HostFacts {
  return {
    addressesOf: async () => [],
    nameOf: async () => {
      throw new Error("ENOTFOUND");
    },
    ...over,
    hostname: () => over.hostname,
  };
}

describe("the default EHLO name", () => {
  it("is the host name when it is already fully qualified (a trailing dot dropped)", async () => {
    expect(await defaultEhloName(facts({ hostname: "scanner.example.org" }))).toBe("scanner.example.org");
    expect(await defaultEhloName(facts({ hostname: "scanner.example.org." }))).toBe("scanner.example.org");
  });

  it("is the local resolver's name for the host's own address otherwise", async () => {
    const found = facts({
      hostname: "vm",
      addressesOf: async (name) => (name === "vm" ? ["127.0.1.1"] : []),
      nameOf: async (address) => (address === "127.0.1.1" ? "vm.lab.example.net" : "localhost"),
    });
    expect(await defaultEhloName(found)).toBe("vm.lab.example.net");
  });

  it("is null (each connection's own address literal) when no lookup gives an FQDN", async () => {
    const sandbox = facts({
      hostname: "vm",
      addressesOf: async () => ["127.0.0.1"],
      nameOf: async () => "localhost",
    });
    expect(await defaultEhloName(sandbox)).toBeNull();
    expect(await defaultEhloName(facts({ hostname: "" }))).toBeNull();
  });

  it("does not wait for a resolver that never answers", async () => {
    const hanging = facts({ hostname: "vm", addressesOf: () => new Promise<string[]>(() => {}) });
    expect(await defaultEhloName(hanging, 50)).toBeNull();
  });
});

describe("isFqdn", () => {
  it.each([
    ["mx.example.org", true],
    ["a.b", true],
    ["vm", false],
    ["localhost", false],
    ["localhost.localdomain", false],
    ["192.0.2.1", false],
    ["::1", false],
    ["bad_label.example.org", false],
    ["-x.example.org", false],
    ["host.123", false],
  ])("%s: %s", (name, fqdn) => {
    expect(isFqdn(name)).toBe(fqdn);
  });
});

describe("addressLiteral", () => {
  it.each([
    ["192.0.2.7", "[192.0.2.7]"],
    ["::ffff:192.0.2.7", "[192.0.2.7]"],
    ["2001:db8::2", "[IPv6:2001:db8::2]"],
    ["", "[127.0.0.1]"],
  ])("%s → %s", (address, literal) => {
    expect(addressLiteral(address)).toBe(literal);
  });
});
