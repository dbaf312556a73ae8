/**
 * Keys the lab uses in more than one server, made once under .lab-state/shared-keys/.
 *
 * The cross-protocol key: one RSA-2048 key that is both Dropbear's RSA host key and the key of
 * Dovecot's TLS certificate, so the tests can check that an SSH host key and a TLS key get one
 * identity (spki_sha256). Throwaway lab keys, world-readable like the lab's other certificates
 * (daemons that drop root must read them).
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { LAB_DOMAIN } from "./dns.js";
import { run } from "./run.js";
import type { LabContext, LabPaths } from "./types.js";

export interface CrossProtocolKeyPair {
  /** the private key, PEM (PKCS#8) */
  keyFile: string;
  /** a self-signed certificate for CN=dovecot.lab.smtpsurvey.test with that key */
  certFile: string;
  /** the same key in Dropbear's format: written by the dropbear server when it starts */
  dropbearKeyFile: string;
}

export const CROSS_PROTOCOL_HOSTNAME = `dovecot.${LAB_DOMAIN}`;

export function sharedKeysDir(paths: LabPaths): string {
  return join(paths.state, "shared-keys");
}

export function crossProtocolPaths(paths: LabPaths): CrossProtocolKeyPair {
  const dir = sharedKeysDir(paths);
  return {
    keyFile: join(dir, "cross-protocol.key"),
    certFile: join(dir, "cross-protocol.crt"),
    dropbearKeyFile: join(dir, "cross-protocol.dropbear"),
  };
}

const pending = new Map<string, Promise<CrossProtocolKeyPair>>();

/** The cross-protocol key and certificate, made on first call (two servers may ask at once). */
export function crossProtocolKeyPair(ctx: LabContext): Promise<CrossProtocolKeyPair> {
  const files = crossProtocolPaths(ctx.paths);
  let made = pending.get(files.keyFile);
  if (!made) {
    made = makeKeyPair(files).then(() => files);
    pending.set(files.keyFile, made);
    made.catch(() => pending.delete(files.keyFile));
  }
  return made;
}

async function makeKeyPair(files: CrossProtocolKeyPair): Promise<void> {
  if (existsSync(files.keyFile) && existsSync(files.certFile)) return;
  await mkdir(join(files.keyFile, ".."), { recursive: true });
  const tmpKey = `${files.keyFile}.tmp`;
  const tmpCert = `${files.certFile}.tmp`;
  try {
    await run([
      "openssl",
      "genpkey",
      "-algorithm",
      "RSA",
      "-pkeyopt",
      "rsa_keygen_bits:2048",
      "-out",
      tmpKey,
    ]);
    await chmod(tmpKey, 0o644);
    await run([
      "openssl",
      "req",
      "-x509",
      "-key",
      tmpKey,
      "-sha256",
      "-days",
      "3650",
      "-subj",
      `/CN=${CROSS_PROTOCOL_HOSTNAME}`,
      "-addext",
      `subjectAltName=DNS:${CROSS_PROTOCOL_HOSTNAME}`,
      "-out",
      tmpCert,
    ]);
    // the key last: its presence with the certificate marks a finished pair; a stale Dropbear
    // copy of an older key must not survive
    await rm(files.dropbearKeyFile, { force: true });
    await rename(tmpCert, files.certFile);
    await rename(tmpKey, files.keyFile);
  } finally {
    await rm(tmpKey, { force: true });
    await rm(tmpCert, { force: true });
  }
}
