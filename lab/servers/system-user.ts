import { readFile } from "node:fs/promises";

export interface SystemUser {
  uid: number;
  gid: number;
}

/**
 * Looks a user up in /etc/passwd. Daemons that drop root (Exim) need their files owned by their
 * run-time user; the manager creates these users, so they are local and /etc/passwd has them.
 */
export async function lookupSystemUser(name: string): Promise<SystemUser> {
  const passwd = await readFile("/etc/passwd", "utf8");
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name && uid !== undefined && gid !== undefined) {
      return { uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error(`system user ${name} does not exist (the lab manager creates it from LabServer.users)`);
}
