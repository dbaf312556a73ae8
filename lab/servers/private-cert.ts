import path from "node:path";
import type { LabContext } from "../types.js";
import { copyOwnedFile, ensureDir } from "./owned-files.js";
import type { SystemUser } from "./system-user.js";

export interface PrivateCert {
  certFile: string;
  keyFile: string;
}

/** Where installPrivateCert puts the files; commands() needs the paths without awaiting. */
export function privateCertPaths(tlsDir: string): PrivateCert {
  return { certFile: path.join(tlsDir, "cert.pem"), keyFile: path.join(tlsDir, "key.pem") };
}

/**
 * Copies the lab certificate for `hostname` into `tlsDir`, key mode 0600 and owned by `owner`:
 * Sendmail and OpenSMTPD refuse keys others can read, and Exim reads its key after dropping root.
 */
export async function installPrivateCert(
  ctx: LabContext,
  hostname: string,
  tlsDir: string,
  owner?: SystemUser,
): Promise<PrivateCert> {
  const labCert = await ctx.cert(hostname);
  const files = privateCertPaths(tlsDir);
  await ensureDir(tlsDir, 0o755, owner);
  await copyOwnedFile(labCert.certFile, files.certFile, 0o644, owner);
  await copyOwnedFile(labCert.keyFile, files.keyFile, 0o600, owner);
  return files;
}
