import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Certificate } from "../record.js";
import { describeCertificate } from "./certificate.js";
import { certificateHostNames, fillNames, hostMatches, matchNames } from "./names.js";
import { tlsRecord } from "./record.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-names-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A throwaway self-signed certificate from the openssl binary (node cannot issue one). */
function makeCert(subject: string, san?: string): Certificate {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.crt`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      subject,
      ...(san ? ["-addext", `subjectAltName=${san}`] : []),
      "-keyout",
      `${file}.key`,
      "-out",
      file,
      "-outform",
      "DER",
    ],
    { stdio: "ignore" },
  );
  return describeCertificate(readFileSync(file));
}

describe("hostMatches (RFC 6125)", () => {
  it.each([
    ["mx.example.com", "mx.example.com", true],
    ["MX.Example.COM", "mx.example.com", true],
    ["mx.example.com.", "mx.example.com", true],
    ["mx.example.com", "mx.example.com.", true],
    ["mx.example.com", "mx2.example.com", false],
    ["*.example.com", "mx.example.com", true],
    ["*.example.com", "a.mx.example.com", false],
    ["*.example.com", "example.com", false],
    ["*.com", "example.com", false],
    ["*", "localhost", false],
    ["f*.example.com", "foo.example.com", false],
    ["mx.*.com", "mx.example.com", false],
    ["*.*.example.com", "a.b.example.com", false],
    ["", "mx.example.com", false],
    ["mx..example.com", "mx..example.com", false],
  ])("%s against %s: %s", (pattern, host, expected) => {
    expect(hostMatches(pattern, host)).toBe(expected);
  });
});

describe("certificateHostNames", () => {
  it("takes the SAN DNS names and ignores the CN then", () => {
    const cert = makeCert("/CN=ignored.example", "DNS:mx.example.com,DNS:*.mail.example.com,IP:192.0.2.1");
    expect(certificateHostNames(cert)).toEqual(["mx.example.com", "*.mail.example.com"]);
  });

  it("falls back to the CN when there is no SAN DNS name", () => {
    const cert = makeCert("/O=Example, Inc./CN=mail.example.com");
    expect(certificateHostNames(cert)).toEqual(["mail.example.com"]);
  });
});

describe("matchNames", () => {
  const cert = makeCert("/CN=mx.example.com", "DNS:mx.example.com,DNS:*.example.net");

  it("matches the PTR and the announced name separately", () => {
    expect(matchNames(cert, "host.example.net", "mx.example.com")).toEqual({
      ptr: "host.example.net",
      ptr_match: true,
      server_name: "mx.example.com",
      server_name_match: true,
    });
    expect(matchNames(cert, "a.b.example.net", "localhost")).toMatchObject({
      ptr_match: false,
      server_name_match: false,
    });
  });

  it("leaves a match null when there is no name to match", () => {
    expect(matchNames(cert, null, null)).toEqual({
      ptr: null,
      ptr_match: null,
      server_name: null,
      server_name_match: null,
    });
  });

  it("fills tls.names only when a certificate arrived, and looks the PTR up only then", async () => {
    let lookups = 0;
    const ctx = {
      reverseName: async () => {
        lookups += 1;
        return "mx.example.com";
      },
    };
    const none = tlsRecord({ version: null, cipher: null, chainDer: [], error: "refused" }, false);
    await fillNames(none, ctx, "mx.example.com");
    expect(none.names).toBeNull();
    expect(lookups).toBe(0);
    const withCert = tlsRecord(
      { version: "TLSv1.3", cipher: "x", chainDer: [Buffer.from(cert.der ?? "", "base64")], error: null },
      true,
    );
    await fillNames(withCert, ctx, null);
    expect(withCert.names).toEqual({
      ptr: "mx.example.com",
      ptr_match: true,
      server_name: null,
      server_name_match: null,
    });
  });
});
