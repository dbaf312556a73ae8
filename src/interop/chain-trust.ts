/**
 * Whether a certificate chain leads to a root that browsers trust, for records.fresh's
 * `validation.browser_trusted` (zgrab2 computes it against the system's roots). Here the roots
 * are the Mozilla store that Node ships (`tls.rootCertificates`), each link's signature is checked
 * with node's X509Certificate, and every certificate must be valid at the record's time. This is
 * a chain check, not a browser: no revocation, no name constraints, no EKU.
 */
import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";
import type { Certificate } from "../protocols/record.js";

let roots: X509Certificate[] | null = null;

/** null when the chain cannot be checked (a certificate kept without its DER, or no time). */
export function browserTrusted(chain: readonly Certificate[], at: string | null): boolean | null {
  if (chain.length === 0 || at === null || chain.some((c) => c.der === null)) return null;
  roots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  const when = Date.parse(at);
  const certs = chain.map((c) => new X509Certificate(Buffer.from(c.der as string, "base64")));
  const valid = (cert: X509Certificate) =>
    Date.parse(cert.validFrom) <= when && when <= Date.parse(cert.validTo);
  let current = certs[0] as X509Certificate;
  for (let depth = 0; depth < 10; depth++) {
    if (!valid(current)) return false;
    const root = roots.find((r) => r.checkIssued(current) && current.verify(r.publicKey));
    if (root) return valid(root);
    const issuer = certs.find((c) => c !== current && c.checkIssued(current) && current.verify(c.publicKey));
    if (!issuer) return false;
    current = issuer;
  }
  return false;
}
