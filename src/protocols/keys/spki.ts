/**
 * One key identity for every protocol: `spki_sha256`, the lowercase hex SHA-256 of the public key
 * as DER SubjectPublicKeyInfo. TLS (a certificate's key) and SSH (a host key blob) both come
 * through here, so one key used by sshd and by a TLS server gets one identity.
 *
 * Keys are re-encoded before hashing: a key is rebuilt from its JWK form, which gives one SPKI per
 * key (RSA as rsaEncryption with NULL parameters, EC as a named curve with an uncompressed point,
 * Ed25519/Ed448 as their OIDs). For the usual certificate this is byte for byte the SPKI it
 * carries; it differs only for rare encodings of the same key (a compressed EC point), which must
 * still be the same identity. Keys with no JWK form (DSA, RSA-PSS, explicit curve parameters)
 * are hashed as node exports them.
 */
import { createHash, createPublicKey, type KeyObject } from "node:crypto";

const JWK_TYPES = new Set(["rsa", "ec", "ed25519", "ed448"]);

export function canonicalSpki(key: KeyObject): Buffer {
  if (JWK_TYPES.has(key.asymmetricKeyType ?? "")) {
    try {
      const jwk = key.export({ format: "jwk" });
      return createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "der" });
    } catch {
      // an EC key on an unnamed curve has no JWK: fall through to node's own encoding
    }
  }
  return key.export({ type: "spki", format: "der" });
}

export function spkiSha256(key: KeyObject): string {
  return createHash("sha256").update(canonicalSpki(key)).digest("hex");
}
