/** The test DNS server (test/support/dns-server.ts) itself, checked with node:dns. */
import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer, type TestDnsServer } from "../../test/support/dns-server.js";

let server: TestDnsServer;
let resolver: Resolver;
beforeAll(async () => {
  server = await startDnsServer({
    host: "127.0.0.3",
    zone: {
      "example.test": { mx: [{ preference: 10, exchange: "mx.example.test" }], a: ["192.0.2.1"] },
      "mx.example.test": { a: ["192.0.2.2"], aaaa: ["2001:db8::2"] },
      "alias.example.test": { cname: "mx.example.test" },
      "null.example.test": { mx: [{ preference: 0, exchange: "." }] },
      "broken.example.test": { behaviour: "servfail" },
      "closed.example.test": { behaviour: "refused" },
      "silent.example.test": { behaviour: "silent" },
    },
  });
  resolver = new Resolver({ timeout: 100, tries: 1 });
  resolver.setServers([server.address]);
});
afterAll(async () => {
  await server?.stop();
});

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => "answered",
    (error: NodeJS.ErrnoException) => error.code,
  );

describe("test DNS server", () => {
  it("binds the loopback address asked, on an ephemeral port", () => {
    expect(server.host).toBe("127.0.0.3");
    expect(server.port).toBeGreaterThan(0);
    expect(server.address).toBe(`127.0.0.3:${server.port}`);
  });

  it("answers MX, A, AAAA and follows CNAMEs inside the zone", async () => {
    expect(await resolver.resolveMx("example.test")).toEqual([{ exchange: "mx.example.test", priority: 10 }]);
    expect(await resolver.resolve4("MX.Example.Test.")).toEqual(["192.0.2.2"]);
    expect(await resolver.resolve6("mx.example.test")).toEqual(["2001:db8::2"]);
    expect(await resolver.resolve4("alias.example.test")).toEqual(["192.0.2.2"]);
    expect(await resolver.resolveCname("alias.example.test")).toEqual(["mx.example.test"]);
    expect(await resolver.resolveMx("null.example.test")).toEqual([{ exchange: "", priority: 0 }]);
  });

  it("answers NXDOMAIN, NODATA, SERVFAIL, REFUSED, and nothing for silent names", async () => {
    expect(await code(resolver.resolveMx("absent.example.test"))).toBe("ENOTFOUND");
    expect(await code(resolver.resolve6("example.test"))).toBe("ENODATA");
    expect(await code(resolver.resolveMx("broken.example.test"))).toBe("ESERVFAIL");
    expect(await code(resolver.resolveMx("closed.example.test"))).toBe("EREFUSED");
    expect(await code(resolver.resolveMx("silent.example.test"))).toBe("ETIMEOUT");
  });

  it("counts the queries it receives", () => {
    expect(server.count("mx.example.test", "A")).toBe(1);
    expect(server.count("silent.example.test")).toBe(1);
    expect(server.queries.length).toBeGreaterThanOrEqual(11);
  });

  it("refuses to bind anything but loopback", async () => {
    await expect(startDnsServer({ zone: {}, host: "0.0.0.0" })).rejects.toThrow(/loopback/);
  });
});
