/** Self-signed lab certificates: one RSA-2048 key per host name, made once and reused on every start. */
import { existsSync, statSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { certsDir } from "./paths.js";
import { run } from "./run.js";
import type { LabCert, LabPaths } from "./types.js";

const pending = new Map<string, Promise<LabCert>>();

export function labCert(paths: LabPaths, hostname: string): Promise<LabCert> {
  if (!/^[a-z0-9.-]+$/i.test(hostname)) return Promise.reject(new Error(`lab: bad host name ${hostname}`));
  const key = `${paths.state}\0${hostname}`;
  let made = pending.get(key);
  if (!made) {
    // two servers asking for the same name at once must not race two openssl runs
    made = makeCert(certsDir(paths), hostname);
    pending.set(key, made);
    made.catch(() => pending.delete(key));
  }
  return made;
}

async function makeCert(dir: string, hostname: string): Promise<LabCert> {
  const cert: LabCert = {
    certFile: join(dir, `${hostname}.crt`),
    keyFile: join(dir, `${hostname}.key`),
    comboFile: join(dir, `${hostname}.pem`),
  };
  if (existsSync(cert.certFile) && existsSync(cert.keyFile) && existsSync(cert.comboFile)) return cert;
  await mkdir(dir, { recursive: true });
  const tmpKey = `${cert.keyFile}.tmp`;
  const tmpCert = `${cert.certFile}.tmp`;
  try {
    await run([
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "3650",
      "-subj",
      `/CN=${hostname}`,
      "-addext",
      `subjectAltName=DNS:${hostname}`,
      "-keyout",
      tmpKey,
      "-out",
      tmpCert,
    ]);
    // Throwaway lab keys, world-readable on purpose: daemons that drop root (Exim as Debian-exim,
    // Haraka or Postfix workers) must still read them.
    await chmod(tmpKey, 0o644);
    const combo = (await readFile(tmpCert, "utf8")) + (await readFile(tmpKey, "utf8"));
    await writeFile(`${cert.comboFile}.tmp`, combo, { mode: 0o644 });
    await rename(tmpKey, cert.keyFile);
    await rename(tmpCert, cert.certFile);
    await rename(`${cert.comboFile}.tmp`, cert.comboFile);
  } finally {
    await rm(tmpKey, { force: true });
    await rm(tmpCert, { force: true });
    await rm(`${cert.comboFile}.tmp`, { force: true });
  }
  return cert;
}

/**
 * DH parameters for daemons that want a file (Haraka, Dovecot): the RFC 7919 ffdhe2048 group,
 * instant, where `openssl dhparam 2048` takes seconds to minutes on a small machine (and a stop in
 * the middle leaves an empty file behind, hence the size check).
 */
export async function ensureDhParams(file: string): Promise<void> {
  if (existsSync(file) && statSync(file).size > 0) return;
  await run([
    "openssl",
    "genpkey",
    "-genparam",
    "-algorithm",
    "DH",
    "-pkeyopt",
    "group:ffdhe2048",
    "-out",
    file,
  ]);
}
