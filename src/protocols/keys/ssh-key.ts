/**
 * An SSH host key's identity from its wire-format blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709):
 * the type named in the blob, its size, the fingerprint exactly as OpenSSH prints it, and the
 * same `spki_sha256` a TLS certificate with this key gets (spki.ts).
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { dsaSpkiDer } from "./dsa-spki.js";
import { spkiSha256 } from "./spki.js";
import { bitLength, SshReader, SshWireError } from "./ssh-wire.js";

export interface SshKeyIdentity {
  type: string;
  bits: number | null;
  fingerprint_sha256: string;
  spki_sha256: string | null;
}

/** `SHA256:` + unpadded base64 of SHA-256 over the blob: what `ssh-keygen -l` and ssh print. */
export function opensshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

const CURVES: Record<string, { jwk: string; bits: number; bytes: number }> = {
  nistp256: { jwk: "P-256", bits: 256, bytes: 32 },
  nistp384: { jwk: "P-384", bits: 384, bytes: 48 },
  nistp521: { jwk: "P-521", bits: 521, bytes: 66 },
};

const b64url = (bytes: Buffer) => bytes.toString("base64url");

interface ParsedKey {
  bits: number;
  key: KeyObject;
}

/** Bits as the TLS side reports them (tls/certificate.ts): the curve's size, not the point's bytes. */
function parseEd(reader: SshReader, curve: "Ed25519" | "Ed448", length: number, bits: number): ParsedKey {
  const point = reader.string();
  if (point.length !== length) throw new SshWireError(`${curve} key of ${point.length} bytes`);
  const jwk: JsonWebKey = { kty: "OKP", crv: curve, x: b64url(point) };
  return { bits, key: createPublicKey({ key: jwk, format: "jwk" }) };
}

function parseEcdsa(reader: SshReader, type: string): ParsedKey {
  const name = type.slice("ecdsa-sha2-".length);
  const curve = CURVES[name];
  if (!curve) throw new SshWireError(`unknown curve ${name}`);
  const inner = reader.text();
  if (inner !== name) throw new SshWireError(`${type} blob names curve ${inner}`);
  const point = reader.string();
  // only the uncompressed form is allowed in SSH (RFC 5656 §3.1)
  if (point.length !== 1 + 2 * curve.bytes || point[0] !== 0x04) {
    throw new SshWireError(`bad ${name} point (${point.length} bytes)`);
  }
  const jwk: JsonWebKey = {
    kty: "EC",
    crv: curve.jwk,
    x: b64url(point.subarray(1, 1 + curve.bytes)),
    y: b64url(point.subarray(1 + curve.bytes)),
  };
  return { bits: curve.bits, key: createPublicKey({ key: jwk, format: "jwk" }) };
}

function parseRsa(reader: SshReader): ParsedKey {
  const e = reader.unsignedMpint();
  const n = reader.unsignedMpint();
  const jwk: JsonWebKey = { kty: "RSA", n: b64url(n), e: b64url(e) };
  return { bits: bitLength(n), key: createPublicKey({ key: jwk, format: "jwk" }) };
}

function parseDsa(reader: SshReader): ParsedKey {
  const [p, q, g, y] = [
    reader.unsignedMpint(),
    reader.unsignedMpint(),
    reader.unsignedMpint(),
    reader.unsignedMpint(),
  ];
  const key = createPublicKey({ key: dsaSpkiDer(p, q, g, y), format: "der", type: "spki" });
  return { bits: bitLength(p), key };
}

function parseKnown(reader: SshReader, type: string): ParsedKey | null {
  if (type === "ssh-ed25519") return parseEd(reader, "Ed25519", 32, 256);
  if (type === "ssh-ed448") return parseEd(reader, "Ed448", 57, 448);
  if (type.startsWith("ecdsa-sha2-")) return parseEcdsa(reader, type);
  if (type === "ssh-rsa") return parseRsa(reader);
  if (type === "ssh-dss") return parseDsa(reader);
  return null;
}

/**
 * Throws SshWireError (or node's key import error) for a malformed blob of a known type; a type
 * we do not know still gets its fingerprint, with null bits and identity.
 */
export function describeSshKey(blob: Buffer): SshKeyIdentity {
  const reader = new SshReader(blob);
  const type = reader.text();
  const parsed = parseKnown(reader, type);
  if (parsed && reader.remaining !== 0)
    throw new SshWireError(`${reader.remaining} bytes after the ${type} key`);
  return {
    type,
    bits: parsed?.bits ?? null,
    fingerprint_sha256: opensshFingerprint(blob),
    spki_sha256: parsed ? spkiSha256(parsed.key) : null,
  };
}
