/**
 * GNU Mailutils 3.15 (Debian mailutils-imap4d, mailutils-pop3d, installed with apt) on
 * 127.77.4.2: `imap4d` on 143 (STARTTLS) and 993 (TLS), `pop3d` on 110 (STLS) and 995 (TLS), each
 * `--config-file` of its own in daemon mode in the foreground, TLS with the lab certificate.
 * Nobody can log in: authentication and authorization go only through `virtdomain` with an
 * empty password directory, so no user exists (the machine's accounts and PAM are never asked).
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";

const NAME = "mailutils";
const IP = "127.77.4.2";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;

function conf(
  ctx: LabContext,
  daemon: "imap4d" | "pop3d",
  plain: number,
  tls: number,
  cert: { certFile: string; keyFile: string },
): string {
  const dir = ctx.paths.dir(NAME);
  return `# written by smtpsurvey's lab manager
mode daemon;
foreground yes;
pidfile ${join(dir, `${daemon}.pid`)};
logging { syslog no; };
auth { authentication virtdomain; authorization virtdomain; };
virtdomain { passwd-dir ${join(dir, "no-users")}; };
tls-file-checks { key-file none; cert-file none; ca-file none; };
tls { ssl-certificate-file ${cert.certFile}; ssl-key-file ${cert.keyFile}; };
server ${IP}:${plain} { tls-mode ondemand; };
server ${IP}:${tls} { tls-mode connection; };
`;
}

export const mailutilsServer: LabServer = {
  name: NAME,
  product: "GNU Mailutils",
  get version() {
    return binaryVersion(["/usr/sbin/imap4d", "--version"], /Mailutils\)? ([\d.]+)/, "3.15");
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [
    { port: 143, protocol: "imap" },
    { port: 993, protocol: "imaps" },
    { port: 110, protocol: "pop3" },
    { port: 995, protocol: "pop3s" },
  ],
  aptInstall: ["mailutils-imap4d", "mailutils-pop3d"],
  async prepare(ctx) {
    const dir = ctx.paths.dir(NAME);
    await ensureDir(dir, 0o755);
    await ensureDir(join(dir, "no-users"), 0o755);
    const cert = await ctx.cert(HOSTNAME);
    await writeOwnedFile(join(dir, "imap4d.conf"), conf(ctx, "imap4d", 143, 993, cert), 0o644);
    await writeOwnedFile(join(dir, "pop3d.conf"), conf(ctx, "pop3d", 110, 995, cert), 0o644);
  },
  commands(ctx) {
    const dir = ctx.paths.dir(NAME);
    return [
      { argv: ["/usr/sbin/imap4d", `--config-file=${join(dir, "imap4d.conf")}`] },
      { argv: ["/usr/sbin/pop3d", `--config-file=${join(dir, "pop3d.conf")}`] },
    ];
  },
};
