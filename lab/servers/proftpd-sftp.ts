/**
 * ProFTPD 1.3.8 with mod_sftp (Debian proftpd-core + proftpd-mod-crypto, installed with apt; the
 * machine's own proftpd is never started: policy-rc.d) on 127.77.3.7:22, SSH only: `proftpd -n
 * -c <lab config>` in the foreground, `SocketBindTight on` so it binds the lab address and not
 * 0.0.0.0, no IPv6, its own RSA-3072, ECDSA P-256 and Ed25519 host keys (PEM, ssh-keygen),
 * public-key logins only against an authorized-keys file that does not exist: nobody gets in.
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";
import { ensureKeys } from "./script-ssh.js";

const NAME = "proftpd-sftp";
const IP = "127.77.3.7";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
const PROFTPD = "/usr/sbin/proftpd";
const KEY_TYPES: Array<"rsa" | "ecdsa" | "ed25519"> = ["rsa", "ecdsa", "ed25519"];

function configText(ctx: LabContext, keys: string[]): string {
  const dir = ctx.paths.dir(NAME);
  return `# written by smtpsurvey's lab manager
ServerName "${HOSTNAME}"
ServerType standalone
DefaultServer on
UseIPv6 off
DefaultAddress ${IP}
SocketBindTight on
Port 22
User nobody
Group nogroup
PidFile ${join(dir, "proftpd.pid")}
ScoreboardFile ${join(dir, "proftpd.scoreboard")}
DelayTable ${join(dir, "proftpd.delay")}
WtmpLog off
UseReverseDNS off
SystemLog ${join(dir, "system.log")}
TransferLog none
ModulePath /usr/lib/proftpd
LoadModule mod_sftp.c
<IfModule mod_sftp.c>
  SFTPEngine on
  SFTPLog ${join(dir, "sftp.log")}
${keys.map((k) => `  SFTPHostKey ${k}`).join("\n")}
  SFTPAuthMethods publickey
  SFTPAuthorizedUserKeys file:/nonexistent/authorized_keys
</IfModule>
`;
}

export const proftpdSftpServer: LabServer = {
  name: NAME,
  product: "ProFTPD mod_sftp",
  get version() {
    return binaryVersion([PROFTPD, "-v"], /ProFTPD Version ([\d.]+\w*)/, "1.3.8");
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 22, protocol: "ssh" }],
  aptInstall: ["proftpd-core", "proftpd-mod-crypto"],
  async prepare(ctx) {
    const dir = ctx.paths.dir(NAME);
    await ensureDir(dir, 0o755);
    const keys = await ensureKeys(join(dir, "keys"), KEY_TYPES, "PEM");
    await writeOwnedFile(join(dir, "proftpd.conf"), configText(ctx, keys), 0o644);
  },
  commands(ctx) {
    return [{ argv: [PROFTPD, "-n", "-c", join(ctx.paths.dir(NAME), "proftpd.conf")] }];
  },
};
