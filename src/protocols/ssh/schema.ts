/** The record's `ssh` part (docs/records.md). */
import { z } from "zod";

/** One SSH host key, fetched with its own handshake; the same key identity as a TLS key's. */
export const SshHostKeySchema = z.object({
  /** the key's type as in its wire blob: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ssh-dss */
  type: z.string(),
  /** the host key algorithm negotiated to fetch it (rsa-sha2-512 for an RSA key, …) */
  algorithm: z.string(),
  bits: z.number().nullable(),
  /** exactly as OpenSSH prints it: "SHA256:" + unpadded base64 of SHA-256 over the wire blob */
  fingerprint_sha256: z.string(),
  /** lowercase hex SHA-256 of the key as DER SubjectPublicKeyInfo (keys/spki.ts; null for a type we cannot read) */
  spki_sha256: z.string().nullable(),
  /** the wire-format blob, base64 */
  blob: z.string(),
});
export type SshHostKey = z.infer<typeof SshHostKeySchema>;

export const SshSchema = z.object({
  /** the server's identification string, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" */
  banner: z.string().nullable(),
  /** the server's KEXINIT name-lists */
  kex: z
    .object({
      kex: z.array(z.string()),
      host_key: z.array(z.string()),
      ciphers_c2s: z.array(z.string()),
      ciphers_s2c: z.array(z.string()),
      macs_c2s: z.array(z.string()),
      macs_s2c: z.array(z.string()),
      compression_c2s: z.array(z.string()),
      compression_s2c: z.array(z.string()),
    })
    .nullable(),
  host_keys: z.array(SshHostKeySchema),
  /** host key algorithms the server offered whose handshake failed, and why */
  errors: z.array(z.object({ algorithm: z.string(), error: z.string() })),
});
export type SshRecord = z.infer<typeof SshSchema>;
