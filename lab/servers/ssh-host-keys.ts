/**
 * The OpenSSH servers' host keys: one set (Ed25519, ECDSA P-256/384/521, RSA-3072) made once with
 * ssh-keygen under .lab-state/shared-keys/openssh/ and given to both sshd instances, so that a
 * survey sees two servers sharing every key. sshd refuses host keys others can read: 0600, root.
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../run.js";
import { sharedKeysDir } from "../shared-keys.js";
import type { LabPaths } from "../types.js";
import { ensureDir } from "./owned-files.js";

interface HostKeySpec {
  name: string;
  args: string[];
}

const HOST_KEYS: readonly HostKeySpec[] = [
  { name: "ed25519", args: ["-t", "ed25519"] },
  { name: "ecdsa256", args: ["-t", "ecdsa", "-b", "256"] },
  { name: "ecdsa384", args: ["-t", "ecdsa", "-b", "384"] },
  { name: "ecdsa521", args: ["-t", "ecdsa", "-b", "521"] },
  { name: "rsa", args: ["-t", "rsa", "-b", "3072"] },
];

export function opensshKeysDir(paths: LabPaths): string {
  return join(sharedKeysDir(paths), "openssh");
}

/** The private key files, in HostKey order (their .pub files lie beside them). */
export function opensshHostKeyFiles(paths: LabPaths): string[] {
  return HOST_KEYS.map((k) => join(opensshKeysDir(paths), `ssh_host_${k.name}_key`));
}

let pending: Promise<string[]> | undefined;

/** Makes the missing keys; both instances call it, the first call does the work. */
export function ensureOpensshHostKeys(paths: LabPaths): Promise<string[]> {
  pending ??= makeKeys(paths).catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function makeKeys(paths: LabPaths): Promise<string[]> {
  await ensureDir(opensshKeysDir(paths), 0o755);
  const files = opensshHostKeyFiles(paths);
  for (const [i, spec] of HOST_KEYS.entries()) {
    const file = files[i] as string;
    if (existsSync(file) && existsSync(`${file}.pub`)) continue;
    const tmp = `${file}.tmp`;
    await rm(tmp, { force: true });
    await rm(`${tmp}.pub`, { force: true });
    await run(["ssh-keygen", "-q", ...spec.args, "-N", "", "-C", `smtpsurvey-lab-${spec.name}`, "-f", tmp]);
    // the public half first: a private key without its .pub is remade on the next start
    await rename(`${tmp}.pub`, `${file}.pub`);
    await rename(tmp, file);
  }
  return files;
}
