/**
 * zgrab2 output (test/fixtures/interop/zgrab2: written to zgrab2's documented schema from the
 * lab's real captures by lab/interop-fixtures.mjs, since zgrab2 cannot be built here; README
 * there) imported as records, checked against the lab records the bytes came from.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clustersOf } from "../../src/analysis/clusters.js";
import { importRecords } from "../../src/interop/import-records.js";
import type { ScanRecord } from "../../src/protocols/record.js";
import { readRecords } from "../../src/store/read-records.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-zgrab2-"));
const lab = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/lab/${name}.json`, "utf8")) as ScanRecord;

async function imported(file: string): Promise<Map<string, ScanRecord>> {
  const output = join(dir, `${file}.jsonl`);
  await importRecords({
    format: "zgrab2",
    files: [`test/fixtures/interop/zgrab2/${file}`],
    output,
    scanDate: null,
  });
  const records = new Map<string, ScanRecord>();
  for await (const record of readRecords(output)) {
    expect(records.has(`${record.ip}:${record.port}`), "one record per endpoint").toBe(false);
    records.set(`${record.ip}:${record.port}`, record);
  }
  return records;
}

describe("zgrab2 multiple-module output", () => {
  it("gives SMTP's replies and certificate as a grab of the same server did", async () => {
    const records = await imported("multiple.jsonl");
    const got = records.get("127.77.1.1:25") as ScanRecord;
    const want = lab("postfix-25");
    expect(got).toMatchObject({ protocol: "smtp", status: "ok", source: "zgrab2", duration_ms: null });
    expect(got.started_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const field of ["banner", "ehlo", "help", "starttls", "quit"] as const)
      expect(got.smtp?.[field]).toEqual(want.smtp?.[field]);
    expect(got.smtp?.ehlo_tls).toBeNull(); // zgrab2 sends no EHLO inside TLS
    expect(got.tls?.chain[0]?.spki_sha256).toBe(want.tls?.chain[0]?.spki_sha256);
    expect(got.tls?.version).toBe("TLSv1.3"); // from supported_versions, not the legacy 1.2
    expect(records.get("127.77.1.1:465")).toMatchObject({ protocol: "smtps", tls: { implicit: true } });
  });

  it("maps zgrab2's statuses to ours, keeping its own at the head of `error`", async () => {
    const records = await imported("multiple.jsonl");
    expect(records.get("127.77.1.1:443")).toMatchObject({ status: "refused", protocol: "https" });
    expect(records.get("127.77.1.1:443")?.error).toMatch(/^zgrab2 connection-timeout: .*connection refused/);
    expect(records.get("127.77.9.1:25")).toMatchObject({ status: "reset" });
    expect(records.get("127.77.9.1:587")).toMatchObject({ status: "closed-before-banner" });
    // OpenSMTPD's failed STARTTLS handshake: an ok dialogue whose TLS part has the certificate and the failure
    const opensmtpd = records.get("127.77.1.7:25");
    expect(opensmtpd).toMatchObject({ status: "ok", error: null });
    expect(opensmtpd?.tls?.chain).toHaveLength(1);
    expect(opensmtpd?.tls?.error).toMatch(/handshake/);
    // a refused STARTTLS (zgrab2's application-error) after a good greeting
    expect(records.get("127.77.1.15:25")).toMatchObject({
      status: "ok",
      tls: { error: "STARTTLS refused: 454" },
    });
  });

  it("joins two ssh modules on one port into one record with both host keys", async () => {
    const records = await imported("multiple.jsonl");
    const got = records.get("127.77.3.1:22") as ScanRecord;
    const want = lab("ssh/openssh-22");
    expect(got.ssh?.banner).toBe(want.ssh?.banner);
    expect(got.ssh?.kex).toEqual(want.ssh?.kex);
    const types = got.ssh?.host_keys.map((k) => k.type).sort();
    expect(types).toEqual(["ecdsa-sha2-nistp256", "ssh-ed25519"]);
    for (const key of got.ssh?.host_keys ?? []) {
      const same = want.ssh?.host_keys.find((k) => k.type === key.type);
      expect(key.fingerprint_sha256).toBe(same?.fingerprint_sha256);
      expect(key.spki_sha256).toBe(same?.spki_sha256);
    }
  });

  it("reads IMAP, POP3 and HTTP results", async () => {
    const records = await imported("multiple.jsonl");
    expect(records.get("127.77.4.1:143")?.imap).toMatchObject({
      greeting: lab("dovecot-143").imap?.greeting,
      starttls: "a001 OK Begin TLS negotiation now.",
      capabilities: null,
    });
    expect(records.get("127.77.4.1:993")).toMatchObject({ protocol: "imaps", tls: { implicit: true } });
    expect(records.get("127.77.4.1:110")?.pop3).toMatchObject({
      greeting: "+OK Dovecot (Debian) ready.",
      stls: "+OK Begin TLS negotiation now.",
    });
    const https = records.get("127.77.5.1:443") as ScanRecord;
    expect(https).toMatchObject({
      protocol: "https",
      http: { status: 200, status_line: "HTTP/1.1 200 OK", server: "nginx/1.22.1" },
    });
    expect(https.tls?.chain[0]?.spki_sha256).toBe(lab("nginx-443").tls?.chain[0]?.spki_sha256);
  });

  it("finds the key-reuse clusters the fixture's README lists, the cross-protocol one included", async () => {
    const clusters = await clustersOf((await imported("multiple.jsonl")).values());
    const hostSets = clusters
      .map((c) => [...new Set(c.members.map((m) => m.ip))].sort().join(" "))
      .filter((s) => s.includes(" "));
    expect(hostSets.sort()).toEqual([
      "127.77.1.1 127.77.5.1",
      "127.77.3.1 127.77.3.2",
      "127.77.3.3 127.77.4.1",
    ]);
  });
});

describe("zgrab2 single-module output", () => {
  it("reads `zgrab2 smtp` lines", async () => {
    const records = await imported("smtp-single.jsonl");
    expect(records.size).toBe(6);
    for (const record of records.values()) expect(record.protocol).toBe("smtp");
    expect(records.get("127.77.1.13:25")?.smtp?.help?.lines.join(" ")).toMatch(/mañana/);
  });
});
