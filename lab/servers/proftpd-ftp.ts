/**
 * ProFTPD 1.3.8 as an FTP server (Debian proftpd-core + proftpd-mod-crypto's mod_tls, the same
 * packages as proftpd-sftp.ts) on 127.77.3.8:21: `proftpd -n -c <lab config>` in the
 * foreground, `SocketBindTight on` so it binds the lab address only, AUTH TLS with the lab's
 * certificate for its host name, and no way in: no anonymous block, and logins are refused for
 * every user (the only user database, mod_auth_file's, is empty). Passive ports are never opened because nothing logs in.
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";

const NAME = "proftpd";
const IP = "127.77.3.8";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
const PROFTPD = "/usr/sbin/proftpd";

function configText(ctx: LabContext, certFile: string, keyFile: string): string {
  const dir = ctx.paths.dir(NAME);
  return `# written by smtpsurvey's lab manager
ServerName "${HOSTNAME}"
ServerType standalone
DefaultServer on
UseIPv6 off
DefaultAddress ${IP}
SocketBindTight on
Port 21
User nobody
Group nogroup
PidFile ${join(dir, "proftpd.pid")}
ScoreboardFile ${join(dir, "proftpd.scoreboard")}
DelayTable ${join(dir, "proftpd.delay")}
WtmpLog off
UseReverseDNS off
SystemLog ${join(dir, "system.log")}
TransferLog none
AuthOrder mod_auth_file.c
AuthUserFile ${join(dir, "ftpd.passwd")}
AuthGroupFile ${join(dir, "ftpd.group")}
ModulePath /usr/lib/proftpd
LoadModule mod_tls.c
<IfModule mod_tls.c>
  TLSEngine on
  TLSLog ${join(dir, "tls.log")}
  TLSProtocol TLSv1.2 TLSv1.3
  TLSRSACertificateFile ${certFile}
  TLSRSACertificateKeyFile ${keyFile}
  TLSOptions NoSessionReuseRequired
</IfModule>
`;
}

export const proftpdServer: LabServer = {
  name: NAME,
  product: "ProFTPD",
  get version() {
    return binaryVersion([PROFTPD, "-v"], /ProFTPD Version ([\d.]+\w*)/, "1.3.8");
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 21, protocol: "ftp" }],
  aptInstall: ["proftpd-core", "proftpd-mod-crypto"],
  async prepare(ctx) {
    const dir = ctx.paths.dir(NAME);
    await ensureDir(dir, 0o755);
    const cert = await ctx.cert(HOSTNAME);
    for (const file of ["ftpd.passwd", "ftpd.group"]) await writeOwnedFile(join(dir, file), "", 0o600);
    await writeOwnedFile(join(dir, "proftpd.conf"), configText(ctx, cert.certFile, cert.keyFile), 0o644);
  },
  commands(ctx) {
    return [{ argv: [PROFTPD, "-n", "-c", join(ctx.paths.dir(NAME), "proftpd.conf")] }];
  },
};
