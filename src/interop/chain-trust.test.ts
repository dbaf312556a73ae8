import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../protocols/record.js";
import { describeCertificate } from "../protocols/tls/certificate.js";
import { browserTrusted } from "./chain-trust.js";

const labLeaf = (name: string) =>
  (JSON.parse(readFileSync(`test/fixtures/lab/${name}.json`, "utf8")) as { tls: { chain: Certificate[] } })
    .tls.chain;

describe("browserTrusted", () => {
  // one of the roots node ships, presented as the whole chain: it reaches itself
  const root = new X509Certificate(
    rootCertificates.find((pem) => new X509Certificate(pem).validTo.includes("20")) as string,
  );
  const rootChain = [describeCertificate(root.raw)];
  const inside = new Date((Date.parse(root.validFrom) + Date.parse(root.validTo)) / 2).toISOString();

  it("is true for a chain that reaches a root in node's store, within its validity", () => {
    expect(browserTrusted(rootChain, inside)).toBe(true);
  });

  it("is false outside the validity, and for a self-signed certificate of no store", () => {
    expect(browserTrusted(rootChain, new Date(Date.parse(root.validTo) + 86_400_000).toISOString())).toBe(
      false,
    );
    expect(browserTrusted(labLeaf("postfix-25"), "2027-01-01T00:00:00.000Z")).toBe(false);
  });

  it("cannot tell without a time or without the DER", () => {
    expect(browserTrusted(rootChain, null)).toBeNull();
    expect(browserTrusted([{ ...(rootChain[0] as Certificate), der: null }], inside)).toBeNull();
  });
});
