import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { utils } from "ssh2";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { repoRoot } from "../core/paths.js";
import { describeSshKey } from "../protocols/keys/ssh-key.js";
import { describeCertificate } from "../protocols/tls/certificate.js";
import { ScanRecordSchema } from "../store/schema.js";
import { ClusterBuilder } from "./clusters.js";
import { knownKeyIndex, loadKnownKeys } from "./known-keys.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function writeList(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "known-keys-"));
  dirs.push(dir);
  const path = join(dir, "known-keys.yaml");
  writeFileSync(path, text);
  return path;
}

const ENTRY = (spki: string) => `  - spki_sha256: ${spki}
    kind: rsa-2048
    description: a test key
    source: example 1.0 (test/key.pem)
    file: test/key.pem
`;

describe("known keys", () => {
  it("loads the shipped list", () => {
    const keys = loadKnownKeys();
    expect(keys.length).toBeGreaterThan(0);
    const index = knownKeyIndex(keys);
    expect(index.bySpki.size).toBe(keys.length);
  });

  it("lists the ssh2 package's test keys with the identity records give them", () => {
    const index = knownKeyIndex(loadKnownKeys());
    const fixtures = join(repoRoot(), "node_modules", "ssh2", "test", "fixtures");
    // the same code the grabber runs: a host key's wire blob, a certificate's DER
    for (const name of ["ssh_host_rsa_key", "ssh_host_ecdsa_key", "ssh_host_dsa_key"]) {
      const parsed = utils.parseKey(readFileSync(join(fixtures, name)));
      if (parsed instanceof Error) throw parsed;
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      const spki = describeSshKey(key.getPublicSSH()).spki_sha256 ?? "";
      expect(index.bySpki.get(spki), name).toMatch(/ssh2 \(npm\) test SSH host key/);
    }
    const pem = readFileSync(join(fixtures, "https_cert.pem"), "utf8");
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    const cert = describeCertificate(der);
    expect(index.bySpki.get(cert.spki_sha256)).toMatch(/ssh2 \(npm\) test HTTPS certificate/);
    expect(index.byCert.get(cert.sha256)).toBe(index.bySpki.get(cert.spki_sha256));
  });

  it("marks a shipped key in the clusters built with the list", () => {
    const keys = loadKnownKeys();
    const shipped = keys.find((k) => k.source.startsWith("ssh2 "))?.spki_sha256 ?? "";
    const builder = new ClusterBuilder({ known: knownKeyIndex(keys) });
    for (const ip of ["192.0.2.1", "192.0.2.2"]) {
      builder.add(
        ScanRecordSchema.parse({
          schema: 1,
          ip,
          port: 443,
          protocol: "https",
          name: null,
          status: "ok",
          error: null,
          started_at: "2026-01-01T00:00:00.000Z",
          duration_ms: 1,
          smtp: null,
          tls: {
            implicit: true,
            version: null,
            cipher: null,
            error: null,
            chain: [
              {
                der: "",
                sha256: "0".repeat(64),
                spki_sha256: shipped,
                subject: "CN=localhost",
                issuer: "CN=localhost",
                san: [],
                not_before: "2020-12-20T04:05:35.000Z",
                not_after: "2030-12-18T04:05:35.000Z",
                serial: "01",
                key_type: "rsa",
                key_bits: 4096,
                self_signed: true,
              },
            ],
          },
          transcript: [],
        }),
      );
    }
    expect(builder.build()[0]?.keys[0]?.known).toMatch(/^ssh2 \(npm\) test .*\(ssh2 1\.17\.0 on npm/);
  });

  it("names file and line for a bad entry", () => {
    const bad = writeList(`keys:\n${ENTRY("a".repeat(64))}  - spki_sha256: XYZ\n    kind: rsa\n`);
    expect(() => loadKnownKeys(bad)).toThrow(InputError);
    expect(() => loadKnownKeys(bad)).toThrow(`${bad}:7: keys.1.spki_sha256: 64 lowercase hex digits`);
  });

  it("refuses a key listed twice, and unreadable or malformed files", () => {
    const twice = writeList(`keys:\n${ENTRY("b".repeat(64))}${ENTRY("b".repeat(64))}`);
    expect(() => loadKnownKeys(twice)).toThrow(`${twice}:7: spki_sha256 ${"b".repeat(64)} is listed twice`);
    expect(() => loadKnownKeys(writeList("keys: [\n"))).toThrow(InputError);
    expect(() => loadKnownKeys(join(tmpdir(), "no-such-known-keys.yaml"))).toThrow(/cannot read/);
  });
});
