/**
 * An SSH handshake log as zgrab2 writes it (and records.fresh under `xssh`, and censys under
 * `ssh.v2`) into the record's `ssh` part: the identification line, the server's KEXINIT lists and
 * the one host key the handshake fetched, identified from its wire blob like a key smtpsurvey
 * fetched itself (keys/ssh-key.ts).
 */
import { z } from "zod";
import { describeSshKey } from "../protocols/keys/ssh-key.js";
import type { SshHostKey, SshRecord } from "../protocols/record.js";
import { base64Field, ForeignFieldError, readAs } from "./foreign-json.js";

const Names = z.array(z.string()).nullish();
const HostKey = z
  .object({
    raw: z.string().nullish(),
    algorithm: z.string().nullish(),
    key_algorithm: z.string().nullish(),
    fingerprint_sha256: z.string().nullish(),
    /** smtpsurvey's records.fresh export: the algorithm negotiated, where `algorithm` is the key type */
    smtpsurvey_algorithm: z.string().nullish(),
    /** the parsed key, which censys keeps instead of `raw` (base64 big-endian integers) */
    rsa_public_key: z.object({ exponent: z.union([z.number(), z.string()]), modulus: z.string() }).nullish(),
    ed25519_public_key: z.object({ public_bytes: z.string() }).nullish(),
    ecdsa_public_key: z.object({ curve: z.string(), x: z.string(), y: z.string() }).nullish(),
  })
  .nullish();

const SshLog = z.object({
  server_id: z
    .object({
      raw: z.string().nullish(),
      version: z.string().nullish(),
      software: z.string().nullish(),
      comment: z.string().nullish(),
    })
    .nullish(),
  /** a string in zgrab2 (text before the identification), the identification itself in censys's v2 */
  banner: z.union([z.string(), z.object({ raw: z.string().nullish() })]).nullish(),
  server_key_exchange: z
    .object({
      kex_algorithms: Names,
      host_key_algorithms: Names,
      client_to_server_ciphers: Names,
      server_to_client_ciphers: Names,
      client_to_server_macs: Names,
      server_to_client_macs: Names,
      client_to_server_compression: Names,
      server_to_client_compression: Names,
    })
    .nullish(),
  algorithm_selection: z.object({ host_key_algorithm: z.string().nullish() }).nullish(),
  key_exchange: z.object({ server_host_key: HostKey }).nullish(),
  /** censys's v2 layout and some zgrab versions put the key beside the log */
  server_host_key: HostKey,
  /** smtpsurvey's records.fresh export: every host key, where zgrab2 keeps one */
  smtpsurvey_host_keys: z.array(HostKey).nullish(),
});

/** The `ssh` part, or null when the log holds nothing of the server's. */
export function sshFromLog(value: unknown, at: string): SshRecord | null {
  if (value === null || value === undefined) return null;
  const log = readAs(SshLog, value, at);
  const banner =
    identification(log.server_id) ??
    (typeof log.banner === "object" && log.banner?.raw ? log.banner.raw.replace(/\r?\n$/, "") : null);
  const kexinit = log.server_key_exchange;
  const kex = kexinit
    ? {
        kex: kexinit.kex_algorithms ?? [],
        host_key: kexinit.host_key_algorithms ?? [],
        ciphers_c2s: kexinit.client_to_server_ciphers ?? [],
        ciphers_s2c: kexinit.server_to_client_ciphers ?? [],
        macs_c2s: kexinit.client_to_server_macs ?? [],
        macs_s2c: kexinit.server_to_client_macs ?? [],
        compression_c2s: kexinit.client_to_server_compression ?? [],
        compression_s2c: kexinit.server_to_client_compression ?? [],
      }
    : null;
  const ssh: SshRecord = { banner, kex, host_keys: [], errors: [] };
  const inExchange = log.key_exchange?.server_host_key;
  const key = inExchange ?? log.server_host_key;
  const keyAt = inExchange ? `${at}.key_exchange.server_host_key` : `${at}.server_host_key`;
  if (log.smtpsurvey_host_keys) {
    log.smtpsurvey_host_keys.forEach((k, i) => {
      if (k?.raw)
        ssh.host_keys.push(
          hostKey(
            k.raw,
            k.smtpsurvey_algorithm ?? k.algorithm ?? null,
            `${at}.smtpsurvey_host_keys.${i}.raw`,
          ),
        );
    });
  } else if (key) {
    const algorithm =
      key.smtpsurvey_algorithm ??
      log.algorithm_selection?.host_key_algorithm ??
      key.algorithm ??
      key.key_algorithm ??
      null;
    const rebuilt = key.raw ? null : blobFromParsed(key, keyAt);
    if (key.raw) ssh.host_keys.push(hostKey(key.raw, algorithm, `${keyAt}.raw`));
    else if (rebuilt) ssh.host_keys.push(hostKey(rebuilt.toString("base64"), algorithm, keyAt));
    else if (key.fingerprint_sha256)
      // a hash of the blob is no key: nothing to compare with a TLS key, so it is kept as a note
      ssh.errors.push({
        algorithm: algorithm ?? "unknown",
        error: `imported without the key blob (blob sha256 ${key.fingerprint_sha256})`,
      });
  }
  if (!banner && !kex && ssh.host_keys.length === 0 && ssh.errors.length === 0) return null;
  return ssh;
}

/** The identification line: zgrab2 keeps it whole in `raw`, older logs in parts. */
function identification(id: z.output<typeof SshLog>["server_id"]): string | null {
  if (!id) return null;
  if (id.raw) return id.raw.replace(/\r?\n$/, "");
  if (!id.version || !id.software) return null;
  return `SSH-${id.version}-${id.software}${id.comment ? ` ${id.comment}` : ""}`;
}

/** One host key from its base64 wire blob; `algorithm` is the one negotiated, else the key's type. */
export function hostKey(raw: string, algorithm: string | null, field: string): SshHostKey {
  const blob = base64Field(raw, field);
  let identity: ReturnType<typeof describeSshKey>;
  try {
    identity = describeSshKey(blob);
  } catch (error) {
    throw new ForeignFieldError(field, `not an SSH public key: ${(error as Error).message}`);
  }
  return {
    type: identity.type,
    algorithm: algorithm ?? identity.type,
    bits: identity.bits,
    fingerprint_sha256: identity.fingerprint_sha256,
    spki_sha256: identity.spki_sha256,
    blob: blob.toString("base64"),
  };
}

/**
 * The wire blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709) of a key kept only parsed, as censys
 * does: the same bytes the server sent, so the same fingerprint and identity.
 */
function blobFromParsed(key: NonNullable<z.output<typeof HostKey>>, at: string): Buffer | null {
  const text = (value: string) => lengthPrefixed(Buffer.from(value));
  if (key.rsa_public_key) {
    const { exponent, modulus } = key.rsa_public_key;
    const e =
      typeof exponent === "number"
        ? integerBytes(exponent)
        : base64Field(exponent, `${at}.rsa_public_key.exponent`);
    const n = base64Field(modulus, `${at}.rsa_public_key.modulus`);
    return Buffer.concat([text("ssh-rsa"), mpint(e), mpint(n)]);
  }
  if (key.ed25519_public_key) {
    const bytes = base64Field(key.ed25519_public_key.public_bytes, `${at}.ed25519_public_key.public_bytes`);
    return Buffer.concat([text("ssh-ed25519"), lengthPrefixed(bytes)]);
  }
  if (key.ecdsa_public_key) {
    const curve = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" }[
      key.ecdsa_public_key.curve
    ];
    if (!curve) return null;
    const x = base64Field(key.ecdsa_public_key.x, `${at}.ecdsa_public_key.x`);
    const y = base64Field(key.ecdsa_public_key.y, `${at}.ecdsa_public_key.y`);
    const point = Buffer.concat([Buffer.from([4]), x, y]);
    return Buffer.concat([text(`ecdsa-sha2-${curve}`), text(curve), lengthPrefixed(point)]);
  }
  return null;
}

/** a non-negative integer as big-endian bytes */
function integerBytes(value: number): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex");
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** RFC 4251 §5: a positive integer, without leading zeros, and a zero byte when the top bit is set */
function mpint(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const trimmed = magnitude.subarray(start);
  return lengthPrefixed((trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}
