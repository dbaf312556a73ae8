/**
 * Golden SSH records from the lab (test/fixtures/lab/ssh/, written by test/lab/ssh-lab.test.ts
 * with SMTPSURVEY_UPDATE_FIXTURES=1). SSH sessions are binary and library-driven, so they are not
 * replayed line by line like SMTP's; instead every stored key blob must give today's code the
 * same type, bits, fingerprint and identity the lab run recorded, and the lab's facts must hold.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../core/paths.js";
import { describeSshKey } from "../keys/ssh-key.js";
import { type ScanRecord, ScanRecordSchema } from "../record.js";

const dir = join(repoRoot(), "test", "fixtures", "lab", "ssh");
const fixtures = new Map(
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map(
      (f) =>
        [f, ScanRecordSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8")))] as [string, ScanRecord],
    ),
);
const fixture = (file: string): ScanRecord => {
  const record = fixtures.get(file);
  if (!record) throw new Error(`no fixture ${file}`);
  return record;
};

describe("golden SSH records", () => {
  it("has the lab's SSH servers", () => {
    expect([...fixtures.keys()].sort()).toEqual([
      "asyncssh-22.json",
      "dropbear-22.json",
      "openssh-22.json",
      "openssh-nobanner-22.json",
      "paramiko-22.json",
      "proftpd-sftp-22.json",
      "tinyssh-22.json",
    ]);
  });

  it.each([...fixtures])("%s: every stored key blob gives the stored identity", (_file, record) => {
    expect(record.status).toBe("ok");
    const keys = record.ssh?.host_keys ?? [];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const { blob, algorithm, ...stored } = key;
      expect(describeSshKey(Buffer.from(blob, "base64"))).toEqual({
        type: stored.type,
        bits: stored.bits,
        fingerprint_sha256: stored.fingerprint_sha256,
        spki_sha256: stored.spki_sha256,
      });
      expect(record.ssh?.kex?.host_key).toContain(algorithm);
    }
  });

  it.each([...fixtures])(
    "%s: one handshake per key family, each ended before authentication",
    (_file, record) => {
      const connections = new Set(record.transcript.map((t) => t.conn));
      expect(connections.size).toBe(record.ssh?.host_keys.length);
      const notes = record.transcript.filter((t) => t.dir === "I").map((t) => t.data);
      for (const key of record.ssh?.host_keys ?? []) {
        expect(notes).toContain(`host key (${key.algorithm}) ${key.fingerprint_sha256}`);
      }
      // we never send anything through the channel: no service request, no authentication
      expect(record.transcript.filter((t) => t.dir === "C")).toEqual([]);
    },
  );

  it("the two OpenSSH servers share their five keys; the banners differ", () => {
    const openssh = fixture("openssh-22.json");
    const nobanner = fixture("openssh-nobanner-22.json");
    const ids = (r: ScanRecord) => r.ssh?.host_keys.map((k) => k.spki_sha256);
    expect(ids(openssh)).toHaveLength(5);
    expect(ids(nobanner)).toEqual(ids(openssh));
    expect(openssh.ssh?.host_keys.map((k) => k.type)).toEqual([
      "ssh-ed25519",
      "ecdsa-sha2-nistp256",
      "ecdsa-sha2-nistp384",
      "ecdsa-sha2-nistp521",
      "ssh-rsa",
    ]);
    expect(openssh.ssh?.banner).toMatch(/^SSH-2\.0-OpenSSH_\S+ Debian-/);
    expect(nobanner.ssh?.banner).toMatch(/^SSH-2\.0-OpenSSH_\S+$/);
  });

  it("Dropbear's RSA key comes through rsa-sha2-256, the best RSA algorithm it has", () => {
    const dropbear = fixture("dropbear-22.json");
    expect(dropbear.ssh?.kex?.host_key).not.toContain("rsa-sha2-512");
    expect(dropbear.ssh?.host_keys.find((k) => k.type === "ssh-rsa")?.algorithm).toBe("rsa-sha2-256");
  });
});
