/** A certificate as a record stores it, from its DER bytes, with node's X509Certificate. */
import { createHash, type KeyObject, X509Certificate } from "node:crypto";
import { spkiSha256 } from "../keys/spki.js";
import type { Certificate } from "../record.js";

export function describeCertificate(der: Buffer): Certificate {
  const cert = new X509Certificate(der);
  // Each read of cert.publicKey builds a new key object: read it once.
  const publicKey = cert.publicKey;
  const details = publicKey.asymmetricKeyDetails;
  return {
    der: der.toString("base64"),
    sha256: sha256Hex(der),
    // the one key identity, shared with SSH host keys (keys/spki.ts)
    spki_sha256: spkiSha256(publicKey),
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    san: splitSan(cert.subjectAltName),
    not_before: new Date(cert.validFrom).toISOString(),
    not_after: new Date(cert.validTo).toISOString(),
    serial: cert.serialNumber.toLowerCase(),
    key_type: publicKey.asymmetricKeyType ?? null,
    key_bits:
      details?.modulusLength ?? curveBits(details?.namedCurve) ?? keyTypeBits(publicKey.asymmetricKeyType),
    self_signed: isSelfSigned(cert, publicKey),
  };
}

export function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function oneLine(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}

function splitSan(san: string | undefined): string[] {
  if (!san) return [];
  return san.split(/,\s*/).filter(Boolean);
}

function isSelfSigned(cert: X509Certificate, publicKey: KeyObject): boolean {
  if (!cert.checkIssued(cert)) return false;
  try {
    return cert.verify(publicKey);
  } catch {
    return false;
  }
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256,
  "P-256": 256,
  secp384r1: 384,
  "P-384": 384,
  secp521r1: 521,
  "P-521": 521,
};

function curveBits(curve: string | undefined): number | null {
  return curve ? (CURVE_BITS[curve] ?? null) : null;
}

function keyTypeBits(type: string | undefined): number | null {
  if (type === "ed25519" || type === "x25519") return 256;
  if (type === "ed448" || type === "x448") return 448;
  return null;
}
