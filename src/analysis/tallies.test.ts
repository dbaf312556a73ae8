import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { ScanRecordSchema } from "../store/schema.js";
import { HeavyHitters } from "./counts.js";
import { errorKind, isWeakKey } from "./record-facts.js";
import { keyCountsFromClusters, Tallies, tallyRecords } from "./tallies.js";
import type { CountRow } from "./tally-types.js";
import { makeRecord } from "./test-records.js";

const counts = (rows: CountRow[]) => Object.fromEntries(rows.map((r) => [r.value, r.count]));

describe("failures", () => {
  it("counts statuses overall and per port, with the commonest error details masked", async () => {
    const result = await tallyRecords([
      makeRecord({ ip: "192.0.2.1", status: "ok" }),
      makeRecord({ ip: "192.0.2.2", status: "refused", error: "connect ECONNREFUSED 192.0.2.2:25" }),
      makeRecord({ ip: "192.0.2.3", status: "refused", error: "connect ECONNREFUSED 192.0.2.3:25" }),
      makeRecord({ ip: "2001:db8::4", status: "refused", error: "connect ECONNREFUSED 2001:db8::4:25" }),
      makeRecord({ ip: "192.0.2.5", port: 587, status: "banner-timeout", error: "no greeting in 10 s" }),
    ]);
    const failures = result.failures;
    expect(failures.records).toBe(5);
    expect(counts(failures.byStatus)).toEqual({ ok: 1, refused: 3, "banner-timeout": 1 });
    expect(failures.byStatus[0]).toEqual({ value: "refused", count: 3, share: 0.6 });
    expect(failures.byPort.map((p) => [p.port, p.protocol, p.records])).toEqual([
      [25, "smtp", 4],
      [587, "smtp", 1],
    ]);
    expect(failures.topErrors[0]).toEqual({
      status: "refused",
      errors: [{ value: "connect ECONNREFUSED <ip>", count: 3, share: 1 }],
    });
    expect(failures.errorCountSlack).toBe(0);
  });

  it("masks addresses and caps long details", () => {
    expect(errorKind("connect EHOSTUNREACH [2001:db8::1]:25")).toBe("connect EHOSTUNREACH <ip>");
    expect(errorKind("connect ECONNREFUSED ::1:25")).toBe("connect ECONNREFUSED <ip>");
    expect(errorKind("tlsv1 alert internal error (alert 80)")).toBe("tlsv1 alert internal error (alert 80)");
    expect(errorKind("x".repeat(500))).toHaveLength(160);
  });

  it("keeps the heavy hitters of an open-ended stream in bounded memory", () => {
    const hitters = new HeavyHitters(10);
    for (let i = 0; i < 1000; i++) {
      hitters.add(i % 2 === 0 ? "common" : `rare ${i}`);
      if (i % 5 === 0) hitters.add("second");
    }
    const top = hitters.entries().sort((a, b) => b[1] - a[1]);
    expect(top.length).toBe(10);
    expect(top[0]?.[0]).toBe("common");
    expect(top[1]?.[0]).toBe("second");
    expect(top[0]?.[1]).toBeGreaterThanOrEqual(500);
    expect((top[0]?.[1] ?? 0) - 500).toBeLessThanOrEqual(hitters.slack);
  });
});

describe("software by endpoint and by host", () => {
  it("merges two addresses with the same key and the same announced name into one host", async () => {
    const result = await tallyRecords([
      makeRecord({ ip: "192.0.2.1", ehlo: ["mx.example.test"], leaf: "k1", software: "postfix" }),
      makeRecord({ ip: "192.0.2.2", ehlo: ["MX.example.test."], leaf: "k1", software: "postfix" }),
    ]);
    expect(result.software.byEndpoint.total).toBe(2);
    expect(result.software.merge).toEqual({
      addresses: 2,
      hosts: 1,
      mergedAddresses: 1,
      multiAddressHosts: 1,
      largestHost: 2,
    });
    expect(counts(result.software.byHost.products)).toEqual({ postfix: 1 });
  });

  it("keeps addresses apart when they share a key but announce different names", async () => {
    const result = await tallyRecords([
      makeRecord({ ip: "192.0.2.1", ehlo: ["mx1.example.test"], leaf: "k1", software: "exim" }),
      makeRecord({ ip: "192.0.2.2", ehlo: ["mx2.example.test"], leaf: "k1", software: "exim" }),
      // the same name without a common key is not one host either
      makeRecord({ ip: "192.0.2.3", ehlo: ["mx1.example.test"], leaf: "k2", software: "exim" }),
    ]);
    expect(result.software.merge.hosts).toBe(3);
    expect(result.software.merge.mergedAddresses).toBe(0);
    expect(counts(result.software.byHost.products)).toEqual({ exim: 3 });
  });

  it("does not merge on a name that cannot tell hosts apart (localhost.localdomain)", async () => {
    const result = await tallyRecords([
      makeRecord({ ip: "192.0.2.1", ehlo: ["localhost.localdomain"], leaf: "k1" }),
      makeRecord({ ip: "192.0.2.2", ehlo: ["localhost.localdomain"], leaf: "k1" }),
    ]);
    expect(result.software.merge.hosts).toBe(2);
  });

  it("joins through an SSH key on another port when the addresses announce one name", async () => {
    const result = await tallyRecords([
      makeRecord({ ip: "192.0.2.1", ehlo: ["mx.example.test"], leaf: "t1", software: "postfix" }),
      makeRecord({ ip: "192.0.2.1", port: 22, sshKeys: ["s1"], software: "openssh" }),
      makeRecord({ ip: "192.0.2.2", ehlo: ["mx.example.test"], leaf: "t2", software: "postfix" }),
      makeRecord({ ip: "192.0.2.2", port: 22, sshKeys: ["s1"], software: "openssh" }),
    ]);
    expect(result.software.merge.hosts).toBe(1);
    // the host speaks through its SMTP port, not its surer-looking SSH answer
    expect(counts(result.software.byHost.products)).toEqual({ postfix: 1 });
    expect(counts(result.software.byEndpoint.products)).toEqual({ postfix: 2, openssh: 2 });
    expect(result.software.byProtocol.map((p) => p.protocol)).toEqual(["smtp", "ssh"]);
  });

  it("takes a host's product from port 25, then 587, then 465, else its surest answer", async () => {
    const result = await tallyRecords([
      makeRecord({ ip: "192.0.2.1", port: 465, software: { product: "a", confidence: 0.99 } }),
      makeRecord({ ip: "192.0.2.1", port: 587, software: { product: "b", confidence: 0.5 } }),
      makeRecord({ ip: "192.0.2.2", port: 465, software: { product: "a", confidence: 0.6 } }),
      makeRecord({ ip: "192.0.2.2", port: 25, software: "unknown" }),
      makeRecord({
        ip: "192.0.2.3",
        port: 143,
        protocol: "imap",
        software: { product: "c", confidence: 0.4 },
      }),
      makeRecord({
        ip: "192.0.2.3",
        port: 443,
        protocol: "https",
        software: { product: "d", confidence: 0.8 },
      }),
      makeRecord({ ip: "192.0.2.4", status: "ok" }),
    ]);
    expect(counts(result.software.byHost.products)).toEqual({ a: 1, b: 1, d: 1, unknown: 1 });
    expect(result.software.byHost.unknown).toBe(1);
  });

  it("counts an endpoint once however many records it has, and versions per product", async () => {
    const result = await tallyRecords([
      makeRecord({ ip: "192.0.2.1", software: { product: "exim", version: "4.96" } }),
      makeRecord({ ip: "192.0.2.1", software: { product: "exim", version: "4.97" } }),
      makeRecord({ ip: "192.0.2.2", software: { product: "exim", version_range: ">=4.94" } }),
      makeRecord({ ip: "192.0.2.3", software: { product: "exim" } }),
      makeRecord({ ip: "192.0.2.4", status: "refused" }),
    ]);
    expect(result.records).toBe(5);
    expect(result.endpoints).toBe(4);
    expect(result.software.byEndpoint.total).toBe(3);
    expect(result.software.byEndpoint.versions).toEqual([
      {
        product: "exim",
        count: 3,
        versions: [
          { value: "4.96", count: 1, share: 1 / 3 },
          { value: ">=4.94", count: 1, share: 1 / 3 },
          { value: "unknown", count: 1, share: 1 / 3 },
        ],
      },
    ]);
  });
});

describe("market share by domain", () => {
  it("takes the most preferred MX that answered on 25; a domain whose MX never answered is 'no answer'", async () => {
    const tallies = new Tallies({
      targets: [
        // a.test: primary down, secondary answers → the secondary's product
        { ip: "192.0.2.1", domain: "a.test", mx: "mx1.a.test", mx_preference: 10, category: "shop" },
        { ip: "192.0.2.2", domain: "a.test", mx: "mx2.a.test", mx_preference: 20, category: "shop" },
        { ip: "192.0.2.3", domain: "a.test", mx: "mx3.a.test", mx_preference: 30, category: "shop" },
        // b.test: primary answers
        { ip: "192.0.2.3", domain: "b.test", mx: "mx.b.test", mx_preference: 5, category: "bank" },
        { ip: "192.0.2.2", domain: "b.test", mx: "mx.b.test", mx_preference: 50, category: "bank" },
        // c.test: nothing answered
        { ip: "192.0.2.1", domain: "c.test", mx: "mx1.a.test", mx_preference: 0, category: "shop" },
      ],
    });
    tallies.add(makeRecord({ ip: "192.0.2.1", status: "connect-timeout" }));
    tallies.add(makeRecord({ ip: "192.0.2.2", software: "exim" }));
    tallies.add(makeRecord({ ip: "192.0.2.3", software: "postfix" }));
    // a target added after the records counts too: d.test answers unidentified
    tallies.addTarget({ ip: "192.0.2.4", domain: "D.test.", mx: "d.test" });
    tallies.add(makeRecord({ ip: "192.0.2.4" }));
    const domains = tallies.result().domains;
    expect(domains?.domains).toBe(4);
    expect(domains?.noAnswer).toBe(1);
    expect(counts(domains?.products ?? [])).toEqual({ exim: 1, postfix: 1, "no answer": 1, unknown: 1 });
    expect(counts(domains?.vendors ?? [])).toEqual({
      "exim-vendor": 1,
      "postfix-vendor": 1,
      "no answer": 1,
      unknown: 1,
    });
    expect(domains?.byCategory.map((c) => [c.category, c.domains, c.noAnswer, counts(c.products)])).toEqual([
      ["shop", 2, 1, { exim: 1, "no answer": 1 }],
      ["bank", 1, 0, { postfix: 1 }],
    ]);
  });

  it("needs port 25 itself: an answer on 587 does not receive a domain's mail", async () => {
    const result = await tallyRecords([makeRecord({ ip: "192.0.2.1", port: 587, software: "postfix" })], {
      targets: [{ ip: "192.0.2.1", domain: "a.test", mx: "a.test", mx_preference: 0 }],
    });
    expect(counts(result.domains?.products ?? [])).toEqual({ "no answer": 1 });
  });

  it("is null without targets", async () => {
    expect((await tallyRecords([makeRecord({ ip: "192.0.2.1" })])).domains).toBeNull();
  });
});

describe("TLS posture", () => {
  const at = "2026-06-01T12:00:00.000Z";
  const records = [
    // good: STARTTLS, CA-signed, valid, P-256, names the host
    makeRecord({ ip: "192.0.2.1", ehlo: ["mx1.test", "PIPELINING", "STARTTLS"], leaf: "good" }),
    // self-signed and expired the day before the grab
    makeRecord({
      ip: "192.0.2.2",
      ehlo: ["mx2.test", "STARTTLS"],
      leaf: { spki_sha256: "b".repeat(64), self_signed: true, not_after: "2026-05-31T12:00:00.000Z" },
      serverNameMatch: false,
    }),
    // not yet valid, RSA 1024
    makeRecord({
      ip: "192.0.2.3",
      ehlo: ["mx3.test", "starttls"],
      leaf: {
        spki_sha256: "c".repeat(64),
        not_before: "2026-07-01T00:00:00.000Z",
        key_type: "rsa",
        key_bits: 1024,
      },
      tlsVersion: "TLSv1.2",
    }),
    // the same key as 192.0.2.3, on 465 (implicit TLS)
    makeRecord({ ip: "192.0.2.4", port: 465, leaf: { spki_sha256: "c".repeat(64) } }),
    // STARTTLS offered, handshake failed
    makeRecord({ ip: "192.0.2.5", ehlo: ["mx5.test", "STARTTLS"], tlsVersion: null, tlsError: "alert 40" }),
    // no STARTTLS at all
    makeRecord({ ip: "192.0.2.6", ehlo: ["mx6.test", "8BITMIME"] }),
    // not SMTP, not ok: not counted
    makeRecord({ ip: "192.0.2.7", port: 443, protocol: "https", leaf: "web" }),
    makeRecord({ ip: "192.0.2.8", status: "reset" }),
  ].map((r) => ({ ...r, started_at: at }));

  it("counts offers, handshakes, self-signed, expired, not-yet-valid, weak and shared keys", async () => {
    const result = await tallyRecords(records);
    const [all, port25, port465] = result.tls;
    expect(all).toMatchObject({
      scope: "all",
      endpoints: 6,
      starttlsOffered: 4,
      implicitTls: 1,
      handshakes: 4,
      handshakeFailures: 1,
      withCertificate: 4,
      selfSigned: 1,
      expired: 1,
      notYetValid: 1,
      weakKey: 1,
      serverNameMatch: 2,
      serverNameMismatch: 1,
      sharedKey: 2,
    });
    expect(counts(all?.versions ?? [])).toEqual({ "TLSv1.3": 3, "TLSv1.2": 1 });
    expect(counts(all?.keyKinds ?? [])).toEqual({ "ecdsa-p256": 3, "rsa-1024": 1 });
    expect(port25).toMatchObject({ scope: "25", endpoints: 5, starttlsOffered: 4 });
    expect(port465).toMatchObject({ scope: "465", endpoints: 1, implicitTls: 1, sharedKey: 1 });
  });

  it("takes shared-key counts from clusters when given", async () => {
    const keyCounts = keyCountsFromClusters([
      {
        id: "k1",
        size: 2,
        hosts: 2,
        members: [],
        keys: [
          { spki_sha256: "b".repeat(64), kind: "ecdsa-p256", protocols: ["smtp"], count: 2, known: null },
        ],
      },
    ]);
    const result = await tallyRecords(records, { keyCounts });
    expect(result.tls[0]?.sharedKey).toBe(1);
  });

  it("calls RSA < 2048, any DSA and EC < 224 weak", () => {
    expect(isWeakKey({ key_type: "rsa", key_bits: 2047 })).toBe(true);
    expect(isWeakKey({ key_type: "rsa", key_bits: 2048 })).toBe(false);
    expect(isWeakKey({ key_type: "dsa", key_bits: 3072 })).toBe(true);
    expect(isWeakKey({ key_type: "ec", key_bits: 192 })).toBe(true);
    expect(isWeakKey({ key_type: "ec", key_bits: 224 })).toBe(false);
    expect(isWeakKey({ key_type: "ed25519", key_bits: 256 })).toBe(false);
    expect(isWeakKey({ key_type: "rsa", key_bits: null })).toBe(false);
  });
});

describe("estimates", () => {
  it("gives Wilson intervals and population estimates for a sample", async () => {
    const records = [
      makeRecord({ ip: "192.0.2.1", software: "postfix", ehlo: ["a.test", "STARTTLS"] }),
      makeRecord({ ip: "192.0.2.2", software: "postfix" }),
      makeRecord({ ip: "192.0.2.3", software: "exim", ehlo: ["c.test", "STARTTLS"] }),
      makeRecord({ ip: "192.0.2.4", status: "refused" }),
    ];
    const result = await tallyRecords(records, { sample: { sampled: 10, spaceSize: 1000 } });
    const rows = Object.fromEntries((result.estimates?.rows ?? []).map((r) => [r.id, r]));
    expect(rows["smtp-25"]).toMatchObject({ successes: 3, trials: 10, p: 0.3, population: 300 });
    expect(rows["smtp-25"]?.low).toBeCloseTo(0.1078, 4);
    expect(rows["smtp-25"]?.high).toBeCloseTo(0.6032, 4);
    expect(rows["smtp-25"]?.populationLow).toBeCloseTo(107.8, 1);
    expect(rows["starttls-25"]).toMatchObject({ successes: 2, trials: 3 });
    expect(rows["product:postfix"]).toMatchObject({ successes: 2, trials: 3, population: 200 });
    expect(rows["product:exim"]?.population).toBe(100);
  });

  it("refuses a sample smaller than what answered", async () => {
    const records = [makeRecord({ ip: "192.0.2.1" }), makeRecord({ ip: "192.0.2.2" })];
    await expect(tallyRecords(records, { sample: { sampled: 1, spaceSize: 10 } })).rejects.toThrow(
      InputError,
    );
  });

  it("is null without a sample", async () => {
    expect((await tallyRecords([])).estimates).toBeNull();
  });
});

describe("lab fixtures", () => {
  it("tallies the lab's real records", async () => {
    const dir = join(import.meta.dirname, "../../test/fixtures/lab");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    const records = files.map((file) => {
      const record = ScanRecordSchema.parse(JSON.parse(readFileSync(join(dir, file), "utf8")));
      // the fixtures carry no identification: label each with its daemon, as the file name says
      const product = file.replace(/(-stripped)?-\d+\.json$/, "");
      record.software = {
        product,
        vendor: null,
        kind: null,
        version: null,
        version_range: null,
        os: null,
        hint: null,
        confidence: 0.9,
        alternatives: [],
        evidence: [],
      };
      return record;
    });
    const result = await tallyRecords(records);
    expect(result.records).toBe(files.length);
    expect(result.endpoints).toBe(files.length);
    expect(result.failures.byStatus).toEqual([{ value: "ok", count: files.length, share: 1 }]);
    // every daemon listens on an address of its own, and stripped variants are separate daemons
    expect(result.software.merge.hosts).toBe(result.addresses);
    expect(counts(result.software.byHost.products).postfix).toBe(2);
    const all = result.tls[0];
    expect(all?.endpoints).toBe(files.filter((f) => /-(25|465|587)\.json$/.test(f)).length);
    expect(all?.handshakes).toBeGreaterThan(10);
    // smtp-server (npm) serves its bundled test certificate, which expired in February 2025
    expect(all?.expired).toBe(1);
    expect(all?.selfSigned).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
