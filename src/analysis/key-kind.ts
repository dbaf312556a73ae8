/**
 * A key's `kind` for clusters ("rsa-2048", "ecdsa-p256", "ed25519", "dsa-1024"), from what a record
 * says: a TLS leaf's `key_type`/`key_bits` (node's asymmetricKeyType names: rsa, rsa-pss, ec, dsa,
 * ed25519, ed448) or an SSH host key's wire `type`/`bits`. Both sides name one key the same way,
 * so a key seen by sshd and a TLS server gets one kind.
 */

const SIZED = new Set(["rsa", "rsa-pss", "dsa"]);

/** kind from a TLS certificate's key_type and key_bits; "unknown" without a type */
export function tlsKeyKind(keyType: string | null, keyBits: number | null): string {
  if (!keyType) return "unknown";
  const type = keyType.toLowerCase();
  if (type === "ec") return keyBits ? `ecdsa-p${keyBits}` : "ecdsa";
  if (SIZED.has(type)) return keyBits ? `${type}-${keyBits}` : type;
  return type;
}

const SSH_TYPES: Record<string, string> = {
  "ssh-rsa": "rsa",
  "ssh-dss": "dsa",
  "ssh-ed25519": "ed25519",
  "ssh-ed448": "ed448",
};

/** kind from an SSH host key's wire type and bits; an unfamiliar type is kept as it is */
export function sshKeyKind(type: string, bits: number | null): string {
  const curve = /^ecdsa-sha2-nistp(\d+)$/.exec(type);
  if (curve) return `ecdsa-p${curve[1]}`;
  const base = SSH_TYPES[type];
  if (base === undefined) return type;
  return SIZED.has(base) && bits ? `${base}-${bits}` : base;
}
