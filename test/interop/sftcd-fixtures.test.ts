/**
 * records.fresh and the censys 2017 layout (test/fixtures/interop/sftcd: written to FreshGrab's
 * and SameKeys's documented layouts from the lab's real captures by lab/interop-fixtures.mjs;
 * README there), and a survey's records through records.fresh and back.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clustersOf } from "../../src/analysis/clusters.js";
import type { Cluster } from "../../src/core/cluster-types.js";
import { importRecords } from "../../src/interop/import-records.js";
import { exportSftcd } from "../../src/interop/sftcd-export.js";
import { blankRecord, type ScanRecord } from "../../src/protocols/record.js";
import { readRecords } from "../../src/store/read-records.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-sftcd-"));
const lab = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/lab/${name}.json`, "utf8")) as ScanRecord;

async function imported(file: string, scanDate: string | null = null): Promise<Map<string, ScanRecord>> {
  const output = join(dir, `${file.replaceAll("/", "_")}.jsonl`);
  await importRecords({ format: "sftcd", files: [file], output, scanDate });
  const records = new Map<string, ScanRecord>();
  for await (const record of readRecords(output)) records.set(`${record.ip}:${record.port}`, record);
  return records;
}

const hostSets = (clusters: readonly Cluster[]) =>
  clusters
    .map((c) => [...new Set(c.members.map((m) => m.ip))].sort().join(" "))
    .filter((s) => s.includes(" "))
    .sort();

describe("records.fresh (FreshGrab's shim layout)", () => {
  const file = "test/fixtures/interop/sftcd/records.fresh";

  it("makes a record per port, marked sftcd, with the --scan-date or no time at all", async () => {
    const records = await imported(file, "2024-05-01T00:00:00.000Z");
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const ports = lines.flatMap((l) => Object.keys(JSON.parse(l)).filter((k) => /^p\d+$/.test(k)));
    expect(records.size).toBe(ports.length);
    for (const record of records.values()) {
      expect(record).toMatchObject({
        source: "sftcd",
        started_at: "2024-05-01T00:00:00.000Z",
        duration_ms: null,
      });
    }
    for (const record of (await imported(file)).values()) expect(record.started_at).toBeNull();
  });

  it("reads each port's dialogue, certificate and host key", async () => {
    const records = await imported(file);
    const postfix = records.get("127.77.1.1:25") as ScanRecord;
    expect(postfix).toMatchObject({ protocol: "smtp", status: "ok" });
    expect(postfix.smtp?.banner).toBe(lab("postfix-25").smtp?.banner);
    expect(postfix.smtp?.ehlo).toEqual(lab("postfix-25").smtp?.ehlo);
    expect(postfix.tls?.chain[0]?.spki_sha256).toBe(lab("postfix-25").tls?.chain[0]?.spki_sha256);
    expect(records.get("127.77.1.14:25")?.smtp?.helo).not.toBeNull();
    expect(records.get("127.77.4.1:993")).toMatchObject({ protocol: "imaps", tls: { implicit: true } });
    expect(records.get("127.77.5.1:443")).toMatchObject({ protocol: "https", http: { status: 200 } });
    const dropbear = records.get("127.77.3.3:22") as ScanRecord;
    expect(dropbear.ssh?.host_keys.map((k) => k.type)).toEqual(["ssh-rsa"]);
    expect(dropbear.ssh?.host_keys[0]?.spki_sha256).toBe(lab("dovecot-993").tls?.chain[0]?.spki_sha256);
  });

  it("keeps a failed port as unclassified, with what records.fresh said", async () => {
    const records = await imported(file);
    expect(records.get("127.77.9.1:25")).toMatchObject({
      status: "unclassified",
      error: expect.stringContaining("NoneType"),
    });
    expect(records.get("127.77.9.1:587")).toMatchObject({
      status: "unclassified",
      error: expect.stringContaining("no reason"),
    });
  });

  it("finds the README's clusters, the SSH–TLS one that SameKeys cannot find included", async () => {
    const clusters = await clustersOf((await imported(file)).values());
    expect(hostSets(clusters)).toEqual([
      "127.77.1.1 127.77.5.1",
      "127.77.3.1 127.77.3.2",
      "127.77.3.3 127.77.4.1",
    ]);
  });
});

describe("the censys 2017 layout", () => {
  it("reads the ports under their service names, the ASN and the country", async () => {
    const records = await imported("test/fixtures/interop/sftcd/censys-2017.json");
    const postfix = records.get("127.77.1.1:25") as ScanRecord;
    expect(postfix).toMatchObject({ protocol: "smtp", status: "ok", asn: 64496, country: "IE" });
    expect(postfix.smtp?.banner).toBe(lab("postfix-25").smtp?.banner);
    // censys kept the certificate parsed, not raw: its key identity still comes through
    expect(postfix.tls?.chain[0]).toMatchObject({
      der: null,
      spki_sha256: lab("postfix-25").tls?.chain[0]?.spki_sha256,
    });
    expect(postfix.tls?.chain[0]?.serial).toBe(lab("postfix-25").tls?.chain[0]?.serial);
    expect(hostSets(await clustersOf(records.values()))).toEqual([
      "127.77.1.1 127.77.5.1",
      "127.77.3.3 127.77.4.1",
    ]);
    // censys kept the host key parsed, not raw: the blob is rebuilt from it, so its identity is the same
    const dropbear = records.get("127.77.3.3:22") as ScanRecord;
    expect(dropbear.ssh?.host_keys[0]?.fingerprint_sha256).toBe(
      lab("ssh/dropbear-22").ssh?.host_keys.find((k) => k.type === "ssh-rsa")?.fingerprint_sha256,
    );
  });
});

describe("a survey through records.fresh and back", () => {
  it("gives the same clusters, statuses and key identities", async () => {
    // the lab's golden records: one survey of every lab server
    const names = [
      "postfix-25",
      "postfix-465",
      "postfix-587",
      "nginx-443",
      "dovecot-110",
      "dovecot-143",
      "dovecot-993",
      "dovecot-995",
      "dovecot-465",
      "dovecot-587",
      "exim-25",
      "mailutils-993",
      "chasquid-25",
      "opensmtpd-25",
      "ssh/openssh-22",
      "ssh/openssh-nobanner-22",
      "ssh/dropbear-22",
      "ssh/asyncssh-22",
      "proftpd-21",
      "apache-80",
    ];
    const survey = join(dir, "survey/records.jsonl");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "survey"), { recursive: true });
    // and failures on ports whose protocol a dialogue would tell (https, smtps)
    const refused = [
      blankRecord({
        ip: "127.77.1.1",
        port: 443,
        protocol: "https",
        status: "refused",
        started_at: "2026-12-01T00:00:00.000Z",
        error: "ECONNREFUSED",
      }),
      blankRecord({
        ip: "127.77.1.3",
        port: 465,
        protocol: "smtps",
        status: "refused",
        started_at: "2026-12-01T00:00:00.000Z",
      }),
    ];
    writeFileSync(
      survey,
      `${[...names.map((n) => lab(n)), ...refused].map((r) => JSON.stringify(r)).join("\n")}\n`,
    );
    await exportSftcd(survey, join(dir, "fresh/records.fresh"));
    await importRecords({
      format: "sftcd",
      files: [join(dir, "fresh/records.fresh")],
      output: join(dir, "back.jsonl"),
      scanDate: null,
    });
    const before = await clustersOf(readRecords(survey));
    const after = await clustersOf(readRecords(join(dir, "back.jsonl")));
    const shape = (clusters: Cluster[]) =>
      clusters.map((c) => ({
        id: c.id,
        keys: c.keys.map((k) => [k.spki_sha256, k.kind, k.count]),
        members: c.members.map((m) => [m.ip, m.port, m.protocol, m.keys]),
      }));
    expect(shape(after)).toEqual(shape(before));
    expect(before.length).toBeGreaterThanOrEqual(3);
    const back = new Map<string, ScanRecord>();
    for await (const r of readRecords(join(dir, "back.jsonl"))) back.set(`${r.ip}:${r.port}`, r);
    // what SameKeys.py and ReportReuse.py read, as they read it (run against them: see docs/interop.md)
    const freshLines = readFileSync(join(dir, "fresh/records.fresh"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const dropbear = freshLines.find((l) => l.ip === "127.77.3.3");
    const hostKey = dropbear.p22.data.xssh.key_exchange.server_host_key;
    expect(hostKey).toMatchObject({
      algorithm: "ssh-rsa",
      rsa_public_key: { length: 2048, exponent: 65537 },
    });
    const postfix = freshLines.find((l) => l.ip === "127.77.1.1");
    expect(postfix.p25.data.tls.server_hello.cipher_suite).toEqual({
      name: "TLS_AES_256_GCM_SHA384",
      value: 0x1302,
    });
    // the lab's certificates are self-signed: no chain to a trusted root
    expect(postfix.p25.data.tls.server_certificates.validation).toEqual({ browser_trusted: false });
    const collisions = JSON.parse(readFileSync(join(dir, "fresh/collisions.json"), "utf8")) as Array<{
      ip: string;
      fprints: Record<string, string>;
      analysis: Record<string, Record<string, unknown>>;
    }>;
    for (const entry of collisions) expect(entry.analysis.nameset, entry.ip).toBeDefined();
    const dropbearEntry = collisions.find((e) => e.ip === "127.77.3.3");
    // fprints names the key records.fresh shows (FreshGrab's choice: the RSA one, not Ed25519)
    expect(dropbearEntry?.fprints.p22).toBe(lab("dovecot-993").tls?.chain[0]?.spki_sha256);
    expect(dropbearEntry?.analysis.p22).toEqual({ rsalen: 2048 });
    expect(collisions.find((e) => e.ip === "127.77.1.1")?.analysis.p25).toMatchObject({
      cipher_suite: 0x1302,
      self_signed: true,
      rsalen: 2048,
      browser_trusted: false,
    });
    for (const original of refused) {
      const again = back.get(`${original.ip}:${original.port}`);
      expect(again).toMatchObject({
        protocol: original.protocol,
        status: "refused",
        error: original.error,
        http: null,
        smtp: null,
        tls: null,
      });
    }
    for (const name of names) {
      const original = lab(name);
      const again = back.get(`${original.ip}:${original.port}`);
      expect(again?.status, name).toBe(original.status);
      expect(again?.protocol, name).toBe(original.protocol);
      expect(again?.ssh?.host_keys.map((k) => k.spki_sha256).sort() ?? [], name).toEqual(
        original.ssh?.host_keys.map((k) => k.spki_sha256).sort() ?? [],
      );
    }
  });
});
