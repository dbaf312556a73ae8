/**
 * `smtpsurvey targets` and the same options on `grab`, end to end through the built CLI. The DNS
 * server is the tests' own, on loopback; the addresses its zone hands out are data (11.0.0.0/8
 * is public but nothing here connects to it), except the one MX that points into the lab range,
 * where a fake SMTP server listens for the grab test.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../support/cli.js";
import { startDnsServer, type TestDnsServer } from "../support/dns-server.js";
import { type FakeSmtp, startFakeSmtp } from "../support/fake-smtp.js";
import { buildMmdb, uint } from "../support/mmdb-writer.js";

const dir = mkdtempSync(join(tmpdir(), "targets-cli-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let dns: TestDnsServer;
let smtp: FakeSmtp;

beforeAll(async () => {
  dns = await startDnsServer({
    zone: {
      "two.test": {
        mx: [
          { preference: 20, exchange: "mx2.two.test" },
          { preference: 10, exchange: "mx1.two.test" },
        ],
      },
      "mx1.two.test": { a: ["11.0.0.1"], aaaa: ["2400:cb00::1"] },
      "mx2.two.test": { a: ["11.0.0.2"] },
      "implicit.test": { a: ["11.0.0.3"] },
      "null.test": { mx: [{ preference: 0, exchange: "." }] },
      "ghost.test": { mx: [{ preference: 10, exchange: "nowhere.ghost.test" }] },
      "nowhere.ghost.test": {},
      "alias.test": { mx: [{ preference: 5, exchange: "mail.alias.test" }] },
      "mail.alias.test": { cname: "real.alias.test" },
      "real.alias.test": { a: ["11.0.0.4"] },
      "private.test": { mx: [{ preference: 10, exchange: "mx.private.test" }] },
      "mx.private.test": { a: ["10.1.2.3"] },
      "broken.test": { behaviour: "servfail" },
      "silent.test": { behaviour: "silent" },
      "lab.test": { mx: [{ preference: 10, exchange: "mx.lab.test" }] },
      "mx.lab.test": { a: ["127.77.250.1"] },
    },
  });
  smtp = await startFakeSmtp("127.77.250.1");
});

afterAll(async () => {
  await dns?.stop();
  await smtp?.close();
});

const dnsFlags = () => ["--resolver", dns.address, "--dns-timeout", "0.2", "--dns-retries", "1"];

describe("targets: domains to MX", () => {
  it("yields exactly the MX addresses, in preference order, and records every failure by reason", async () => {
    const domains = file(
      "domains.csv",
      "domain,category\ntwo.test,retail\nimplicit.test,bank\nnull.test,bank\nghost.test,\nalias.test,\nprivate.test,\nmissing.test,\nbroken.test,\nsilent.test,\n",
    );
    const out = join(dir, "mx.jsonl");
    const result = await runCli(["targets", "--domains", domains, ...dnsFlags(), "-o", out]);
    expect(result.code, result.stderr).toBe(0);
    const targets = lines(readFileSync(out, "utf8"));
    const of = (domain: string) => targets.filter((t) => t.domain === domain);
    expect(of("two.test")).toEqual([
      { ip: "11.0.0.1", domain: "two.test", mx: "mx1.two.test", mx_preference: 10, category: "retail" },
      { ip: "2400:cb00::1", domain: "two.test", mx: "mx1.two.test", mx_preference: 10, category: "retail" },
      { ip: "11.0.0.2", domain: "two.test", mx: "mx2.two.test", mx_preference: 20, category: "retail" },
    ]);
    expect(of("implicit.test")).toEqual([
      { ip: "11.0.0.3", domain: "implicit.test", mx: "implicit.test", mx_preference: 0, category: "bank" },
    ]);
    expect(of("alias.test")).toEqual([
      { ip: "11.0.0.4", domain: "alias.test", mx: "mail.alias.test", mx_preference: 5 },
    ]);
    // a private address is never emitted, and it is counted
    expect(of("private.test")).toEqual([]);
    expect(result.stderr).toMatch(/dropped 1 addresses in special-purpose ranges/);
    expect(targets).toHaveLength(5);

    const failures = lines(readFileSync(`${out}.mx-failures.jsonl`, "utf8"));
    const reasonOf = (domain: string) => failures.filter((f) => f.domain === domain).map((f) => f.reason);
    expect(reasonOf("null.test")).toEqual(["null-mx"]);
    expect(reasonOf("ghost.test")).toEqual(["no-address"]);
    expect(reasonOf("missing.test")).toEqual(["nxdomain"]);
    expect(reasonOf("broken.test")).toEqual(["servfail"]);
    expect(reasonOf("silent.test")).toEqual(["timeout"]);
    expect(reasonOf("two.test")).toEqual([]);
    const meta = JSON.parse(readFileSync(`${out}.meta.json`, "utf8"));
    expect(meta.mx.domainsRead).toBe(9);
  });

  it("feeds grab directly: domain → MX → address → SMTP record, no file in between", async () => {
    const domains = file("lab-domains.txt", "lab.test\n");
    const out = join(dir, "grab.jsonl");
    const result = await runCli([
      "grab",
      "--domains",
      domains,
      ...dnsFlags(),
      "-p",
      String(smtp.ports[0]),
      "--scope",
      "127.77.250.0/24",
      "-o",
      out,
      "--quiet",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [record] = lines(readFileSync(out, "utf8"));
    expect(record).toMatchObject({ ip: "127.77.250.1", name: "mx.lab.test", status: "ok" });
    expect(existsSync(`${out}.mx-failures.jsonl`)).toBe(true);
  });
});

describe("targets: samples, shards, exclusions", () => {
  const sample = async (...extra: string[]) => {
    const result = await runCli([
      "targets",
      "11.0.0.0/16",
      "--sample",
      "500",
      "-o",
      "-",
      "--quiet",
      ...extra,
    ]);
    expect(result.code, result.stderr).toBe(0);
    return lines(result.stdout).map((t) => t.ip as string);
  };

  it("repeats a sample by its seed, with distinct addresses in range", async () => {
    const a = await sample("--seed", "s1");
    expect(a).toHaveLength(500);
    expect(new Set(a).size).toBe(500);
    expect(a.every((ip) => ip.startsWith("11.0."))).toBe(true);
    expect(await sample("--seed", "s1")).toEqual(a);
    expect(await sample("--seed", "s2")).not.toEqual(a);
  });

  it("splits a stream into disjoint shards whose union is the whole", async () => {
    const whole = await sample("--seed", "s1");
    const parts = await Promise.all([0, 1, 2].map((i) => sample("--seed", "s1", "--shard", `${i}/3`)));
    const union = parts.flat();
    expect(union).toHaveLength(whole.length);
    expect(new Set(union)).toEqual(new Set(whole));
    for (const part of parts) expect(part.length).toBeGreaterThan(100);
  });

  it("never emits an excluded or special-purpose address, and says how many it dropped", async () => {
    const exclude = file("optout.txt", "# opt-out\n11.0.0.0/25 # a whole block\n11.0.1.7\n");
    const result = await runCli(["targets", "11.0.0.0/23", "10.0.0.0/30", "--exclude", exclude, "-o", "-"]);
    expect(result.code, result.stderr).toBe(0);
    const ips = lines(result.stdout).map((t) => t.ip as string);
    expect(ips).toHaveLength(512 - 128 - 1);
    expect(ips).not.toContain("11.0.0.1");
    expect(ips).not.toContain("11.0.1.7");
    expect(ips.some((ip) => ip.startsWith("10."))).toBe(false);
    expect(result.stderr).toMatch(/dropped 4 addresses in special-purpose ranges, 129 on the --exclude list/);
  });

  it("keeps a special-purpose range that --scope names", async () => {
    const result = await runCli([
      "targets",
      "127.77.1.0/30",
      "--scope",
      "127.77.0.0/16",
      "-o",
      "-",
      "--quiet",
    ]);
    expect(lines(result.stdout)).toHaveLength(4);
  });

  it("reads a target list from a pipe (-i -), as a pipeline stage would give it", () => {
    const result = spawnSync(process.execPath, [CLI, "targets", "-i", "-", "-o", "-", "--quiet"], {
      input: "# from zmap\nsaddr\n11.0.0.7\n11.0.0.6\n",
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(lines(result.stdout)).toEqual([{ ip: "11.0.0.6" }, { ip: "11.0.0.7" }]);
  });

  it("annotates targets with country and ASN from a .mmdb", async () => {
    const mmdb = join(dir, "geo.mmdb");
    writeFileSync(
      mmdb,
      buildMmdb([
        {
          network: "11.0.0.0/30",
          data: { country: { iso_code: "LU" }, autonomous_system_number: uint("uint32", 64500) },
        },
      ]),
    );
    const result = await runCli(["targets", "11.0.0.2/31", "--mmdb", mmdb, "-o", "-", "--quiet"]);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout)).toEqual([
      { ip: "11.0.0.2", country: "LU", asn: 64500 },
      { ip: "11.0.0.3", country: "LU", asn: 64500 },
    ]);
  });

  it("reads zmap and zgrab2 files, zgrab2's port and tag included", async () => {
    const zmap = file("zmap.csv", "saddr,daddr,success,repeat\n11.0.0.9,1.1.1.1,1,0\n11.0.0.8,1.1.1.1,0,0\n");
    const zgrab = file("zgrab.csv", "11.0.0.5,mx.example.com,banks,2525\n");
    const result = await runCli(["targets", "-i", zmap, "-i", zgrab, "-o", "-", "--quiet"]);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout)).toEqual([
      { ip: "11.0.0.9" },
      { ip: "11.0.0.5", port: 2525, name: "mx.example.com", category: "banks" },
    ]);
  });
});

describe("targets: bad input gets one line and exit 2, nothing written", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown country", ["--country", "XQ"], /unknown country code XQ/],
    ["an ASN the data does not know (65551, documentation range)", ["--asn", "65551"], /unknown ASN 65551/],
    ["a malformed ASN", ["--asn", "AS-1"], /not an ASN/],
    ["a malformed CIDR", ["11.0.0.0/33"], /not an IP address or CIDR/],
    ["a bad sample size", ["11.0.0.0/24", "--sample", "ten"], /--sample takes a whole number/],
    ["a bad shard", ["11.0.0.0/24", "--shard", "3/3"], /--shard takes I\/N/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const out = join(dir, `bad-${what.replace(/\W+/g, "-")}.jsonl`);
      const result = await runCli(["targets", ...args, "-o", out]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    });
  }

  it("names the file and line of a bad entry, an empty domain file, a corrupt .mmdb", async () => {
    const badFile = file("bad.txt", "11.0.0.1\n11.0.0.300\n");
    const empty = file("empty-domains.txt", "# nothing\n");
    const corrupt = file("corrupt.mmdb", "not a database at all");
    for (const [args, message] of [
      [["-i", badFile], new RegExp(`${badFile}:2:`)],
      [["--domains", empty], /no domains/],
      [["11.0.0.1", "--mmdb", corrupt], /corrupt\.mmdb/],
    ] as Array<[string[], RegExp]>) {
      const result = await runCli(["targets", ...args, "-o", join(dir, "never.jsonl")]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, "never.jsonl"))).toBe(false);
  });
});
