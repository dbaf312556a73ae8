import { chmod, chown, copyFile, mkdir, writeFile } from "node:fs/promises";
import type { SystemUser } from "./system-user.js";

/** Root unless a daemon that drops privileges must write or read the file. */
const ROOT: SystemUser = { uid: 0, gid: 0 };

/** mkdir -p, then set owner and mode (every start, so a rerun repairs them). */
export async function ensureDir(dir: string, mode: number, owner: SystemUser = ROOT): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chown(dir, owner.uid, owner.gid);
  await chmod(dir, mode);
}

/** Writes a file with an exact owner and mode (writeFile's mode only applies on creation). */
export async function writeOwnedFile(
  file: string,
  content: string,
  mode: number,
  owner: SystemUser = ROOT,
): Promise<void> {
  await writeFile(file, content);
  await chown(file, owner.uid, owner.gid);
  await chmod(file, mode);
}

/**
 * Copies a file (a certificate or key from ctx.cert) into a server's own directory so that it
 * can carry the owner and mode that daemon insists on, without touching the shared original.
 */
export async function copyOwnedFile(
  from: string,
  to: string,
  mode: number,
  owner: SystemUser = ROOT,
): Promise<void> {
  await copyFile(from, to);
  await chown(to, owner.uid, owner.gid);
  await chmod(to, mode);
}
