import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsServer, type TestDnsServer, type Zone } from "../../test/support/dns-server.js";
import { InputError } from "../core/errors.js";
import type { Target } from "../core/target.js";
import { MX_FAILURE_REASONS } from "../core/targets-meta.js";
import { readDomainFile } from "./domain-file.js";
import type { MxFailure } from "./mx-failures.js";
import { MxResolver, type MxResolverOptions } from "./mx-resolver.js";

// Answers are documentation addresses (RFC 5737, RFC 3849): data only, never connected to.
const zone: Zone = {
  "two.test": {
    mx: [
      { preference: 10, exchange: "backup.two.test" },
      { preference: 5, exchange: "primary.two.test" },
    ],
  },
  "primary.two.test": { a: ["192.0.2.1"], aaaa: ["2001:db8::1"] },
  "backup.two.test": { a: ["192.0.2.2"] },
  "tie.test": {
    mx: [
      { preference: 10, exchange: "b.tie.test" },
      { preference: 10, exchange: "a.tie.test" },
    ],
  },
  "a.tie.test": { a: ["192.0.2.31"] },
  "b.tie.test": { a: ["192.0.2.32", "192.0.2.30"] },
  "implicit.test": { a: ["192.0.2.10"], aaaa: ["2001:db8::10"] },
  "nullmx.test": { mx: [{ preference: 0, exchange: "." }] },
  "noaddr.test": { mx: [{ preference: 10, exchange: "bare.noaddr.test" }] },
  "bare.noaddr.test": {},
  "half.test": {
    mx: [
      { preference: 10, exchange: "good.half.test" },
      { preference: 20, exchange: "bare.noaddr.test" },
    ],
  },
  "good.half.test": { a: ["192.0.2.40"] },
  "empty.test": {},
  "servfail.test": { behaviour: "servfail" },
  "refused.test": { behaviour: "refused" },
  "silent.test": { behaviour: "silent" },
  "alias.test": { mx: [{ preference: 10, exchange: "mail.alias.test" }] },
  "mail.alias.test": { cname: "real.hosting.test" },
  "real.hosting.test": { a: ["192.0.2.20"] },
  "dangling.test": { mx: [{ preference: 10, exchange: "mail.dangling.test" }] },
  "mail.dangling.test": { cname: "gone.test" },
  "mx.shared.test": { a: ["192.0.2.50"] },
};
const SHARED = Array.from({ length: 50 }, (_, i) => `d${i}.shared.test`);
for (const domain of SHARED) zone[domain] = { mx: [{ preference: 10, exchange: "mx.shared.test" }] };

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer({ zone, host: "127.0.0.1" });
});
afterAll(async () => {
  await server?.stop();
});

async function resolve(domains: string[], options: MxResolverOptions = {}) {
  const failures: MxFailure[] = [];
  const resolver = new MxResolver({
    servers: [server.address],
    onFailure: (f) => failures.push(f),
    ...options,
  });
  const targets: Target[] = [];
  for await (const t of resolver.resolveAll(domains.map((domain) => ({ domain })))) targets.push(t);
  return { targets, failures, stats: resolver.stats };
}

describe("MxResolver", () => {
  it("orders MX hosts by preference, A before AAAA", async () => {
    const { targets, failures, stats } = await resolve(["two.test"]);
    expect(targets).toEqual([
      { ip: "192.0.2.1", domain: "two.test", mx: "primary.two.test", mx_preference: 5 },
      { ip: "2001:db8::1", domain: "two.test", mx: "primary.two.test", mx_preference: 5 },
      { ip: "192.0.2.2", domain: "two.test", mx: "backup.two.test", mx_preference: 10 },
    ]);
    expect(failures).toEqual([]);
    expect(stats).toMatchObject({ domainsRead: 1, domainsResolved: 1, domainsFailed: 0, targets: 3 });
    expect(server.count("backup.two.test", "AAAA")).toBeGreaterThan(0);
  });

  it("breaks preference ties by host name and sorts addresses", async () => {
    const { targets } = await resolve(["tie.test"]);
    expect(targets.map((t) => `${t.mx} ${t.ip}`)).toEqual([
      "a.tie.test 192.0.2.31",
      "b.tie.test 192.0.2.30",
      "b.tie.test 192.0.2.32",
    ]);
  });

  it("uses the domain's own addresses as an implicit MX when there is no MX", async () => {
    const { targets, failures } = await resolve(["implicit.test"]);
    expect(targets).toEqual([
      { ip: "192.0.2.10", domain: "implicit.test", mx: "implicit.test", mx_preference: 0 },
      { ip: "2001:db8::10", domain: "implicit.test", mx: "implicit.test", mx_preference: 0 },
    ]);
    expect(failures).toEqual([]);
  });

  it("records a null MX as accepting no mail, with no targets", async () => {
    const { targets, failures, stats } = await resolve(["nullmx.test"]);
    expect(targets).toEqual([]);
    expect(failures).toEqual([expect.objectContaining({ domain: "nullmx.test", reason: "null-mx" })]);
    expect(failures[0]?.mx).toBeUndefined();
    expect(stats.failures["null-mx"]).toBe(1);
    expect(stats.domainsFailed).toBe(1);
  });

  it("reports an MX host without addresses, keeping the domain's other hosts", async () => {
    const { targets, failures } = await resolve(["noaddr.test", "half.test"]);
    expect(targets).toEqual([
      { ip: "192.0.2.40", domain: "half.test", mx: "good.half.test", mx_preference: 10 },
    ]);
    expect(failures).toHaveLength(2);
    expect(failures).toEqual(
      expect.arrayContaining([
        {
          domain: "noaddr.test",
          mx: "bare.noaddr.test",
          reason: "no-address",
          detail: "no A or AAAA record",
        },
        { domain: "half.test", mx: "bare.noaddr.test", reason: "no-address", detail: "no A or AAAA record" },
      ]),
    );
  });

  it("reports a domain with neither MX nor address", async () => {
    const { failures } = await resolve(["empty.test"]);
    expect(failures).toEqual([expect.objectContaining({ domain: "empty.test", reason: "no-mx-no-address" })]);
  });

  it.each([
    ["missing.test", "nxdomain"],
    ["servfail.test", "servfail"],
    ["refused.test", "refused"],
  ])("reports %s as %s", async (domain, reason) => {
    const { targets, failures, stats } = await resolve([domain]);
    expect(targets).toEqual([]);
    expect(failures).toEqual([expect.objectContaining({ domain, reason })]);
    expect(failures[0]?.detail).toMatch(/^E[A-Z]+ /);
    expect(stats.failures[reason as MxFailure["reason"]]).toBe(1);
  });

  it("times out on a silent server after its retries", async () => {
    const before = server.count("silent.test", "MX");
    const started = performance.now();
    const { failures } = await resolve(["silent.test"], { timeoutMs: 200, retries: 1 });
    const elapsed = performance.now() - started;
    expect(failures).toEqual([expect.objectContaining({ domain: "silent.test", reason: "timeout" })]);
    expect(server.count("silent.test", "MX") - before).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(3000);
  });

  it("follows a CNAME for an MX host's name; a CNAME to nowhere has no address", async () => {
    const { targets, failures } = await resolve(["alias.test", "dangling.test"]);
    expect(targets).toEqual([
      { ip: "192.0.2.20", domain: "alias.test", mx: "mail.alias.test", mx_preference: 10 },
    ]);
    expect(failures).toEqual([
      {
        domain: "dangling.test",
        mx: "mail.dangling.test",
        reason: "no-address",
        detail: "the host name does not exist",
      },
    ]);
  });

  it("looks a shared MX host up once for 50 domains", async () => {
    const { targets, stats } = await resolve(SHARED, { concurrency: 20 });
    expect(targets).toHaveLength(50);
    expect(new Set(targets.map((t) => t.domain))).toEqual(new Set(SHARED));
    expect(server.count("mx.shared.test", "A")).toBe(1);
    expect(server.count("mx.shared.test", "AAAA")).toBe(1);
    expect(stats).toMatchObject({ mxHostsLookedUp: 1, cacheHits: 49, queries: 52, domainsResolved: 50 });
  });

  it("carries the category from a CSV domains file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smtpsurvey-mx-"));
    try {
      const file = join(dir, "domains.csv");
      await writeFile(file, "domain,category\nimplicit.test,bank\nalias.test,\nbackup.two.test\n");
      const failures: MxFailure[] = [];
      const resolver = new MxResolver({ servers: [server.address], onFailure: (f) => failures.push(f) });
      const targets: Target[] = [];
      for await (const t of resolver.resolveAll(readDomainFile(file))) targets.push(t);
      const byDomain = (d: string) => targets.filter((t) => t.domain === d);
      expect(byDomain("implicit.test").map((t) => t.category)).toEqual(["bank", "bank"]);
      expect(byDomain("alias.test")).toEqual([
        { ip: "192.0.2.20", domain: "alias.test", mx: "mail.alias.test", mx_preference: 10 },
      ]);
      // an MX host has no MX of its own, so it is its own implicit MX
      expect(byDomain("backup.two.test")).toEqual([
        { ip: "192.0.2.2", domain: "backup.two.test", mx: "backup.two.test", mx_preference: 0 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rethrows a bad line in the domains file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smtpsurvey-mx-"));
    try {
      const file = join(dir, "domains.txt");
      await writeFile(file, "implicit.test\nnot a domain\n");
      const resolver = new MxResolver({ servers: [server.address] });
      const drain = async () => {
        for await (const _ of resolver.resolveAll(readDomainFile(file))) {
          // drain
        }
      };
      await expect(drain()).rejects.toThrow(InputError);
      await expect(drain()).rejects.toThrow(`${file}:2: not a domain name`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stops cleanly when the consumer breaks early", async () => {
    const resolver = new MxResolver({ servers: [server.address], concurrency: 4 });
    let seen = 0;
    for await (const _ of resolver.resolveAll(SHARED.map((domain) => ({ domain })))) {
      seen += 1;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect(resolver.stats.domainsRead).toBeLessThan(SHARED.length);
  });

  it("spaces queries to the rate asked", async () => {
    const started = performance.now();
    const { stats } = await resolve(
      ["nullmx.test", "nullmx.test", "nullmx.test", "nullmx.test", "nullmx.test"],
      {
        rate: 20,
      },
    );
    expect(stats.queries).toBe(5);
    // five queries at 20/s: the last may start 200 ms after the first
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("rejects a server address that is not one", () => {
    expect(() => new MxResolver({ servers: ["not-an-address"] })).toThrow(InputError);
  });

  it("lists its failure reasons in one exported array", () => {
    expect(MX_FAILURE_REASONS).toEqual([
      "nxdomain",
      "servfail",
      "timeout",
      "refused",
      "null-mx",
      "no-address",
      "no-mx-no-address",
      "error",
    ]);
  });
});

describe("MxResolver concurrency", () => {
  const domains = Array.from({ length: 40 }, (_, i) => `c${i}.slow.test`);
  const slowZone: Zone = {};
  for (const [i, domain] of domains.entries()) {
    slowZone[domain] = { mx: [{ preference: 10, exchange: `mx${i}.slow.test` }] };
    slowZone[`mx${i}.slow.test`] = { a: [`192.0.2.${100 + i}`] };
  }
  let slow: TestDnsServer;
  beforeAll(async () => {
    slow = await startDnsServer({ zone: slowZone, host: "127.0.0.2", delayMs: 25 });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it("keeps at most `concurrency` domains in flight", async () => {
    const resolver = new MxResolver({ servers: [slow.address], concurrency: 5 });
    const targets: Target[] = [];
    for await (const t of resolver.resolveAll(domains.map((domain) => ({ domain })))) targets.push(t);
    expect(targets).toHaveLength(40);
    // one MX query per domain, then A and AAAA of its one host: 5 domains → at most 10 queries
    expect(slow.peakInFlightByType.MX).toBe(5);
    expect(slow.peakInFlight).toBeLessThanOrEqual(10);
    expect(slow.peakInFlight).toBeGreaterThanOrEqual(5);
  });
});
