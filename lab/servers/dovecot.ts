import { join } from "node:path";
import { ensureDhParams } from "../certs.js";
import { LAB_DOMAIN } from "../dns.js";
import { crossProtocolKeyPair } from "../shared-keys.js";
import type { LabContext, LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";

const NAME = "dovecot";
const IP = "127.77.4.1";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
const DOVECOT = "/usr/sbin/dovecot";
/** Debian 12's version, shown until `lab install` has installed the real one */
const FALLBACK_VERSION = "2.3.19.1";
/** the lab Postfix (lab/servers/postfix.ts): submission's relay, never anything outside */
const RELAY = { host: "127.77.1.1", port: 25 };

function layout(ctx: LabContext) {
  const dir = ctx.paths.dir(NAME);
  return {
    dir,
    config: join(dir, "dovecot.conf"),
    run: join(dir, "run"),
    state: join(dir, "state"),
    log: join(dir, "log"),
    users: join(dir, "users"),
    dh: join(dir, "dh.pem"),
  };
}

function dovecotConf(ctx: LabContext, certFile: string, keyFile: string): string {
  const l = layout(ctx);
  const listener = (name: string, port: number, ssl: boolean) =>
    `  inet_listener ${name} {\n    address = ${IP}\n    port = ${port}\n    ssl = ${ssl ? "yes" : "no"}\n  }`;
  return `# written by smtpsurvey's lab manager on every start
base_dir = ${l.run}
state_dir = ${l.state}
instance_name = dovecot-smtpsurvey-lab
protocols = imap pop3 submission
listen = ${IP}
hostname = ${HOSTNAME}
log_path = ${l.log}/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot

ssl = yes
ssl_cert = <${certFile}
ssl_key = <${keyFile}
# without DH parameters, clients that offer DHE suites get an internal error (lab-notes)
ssl_dh = <${l.dh}

# no one ever logs in: the password file is empty and plain text is refused before TLS, so the
# capabilities differ before and after STARTTLS/STLS as on real servers
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = ${l.users}
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${l.dir}/home/%u
}
mail_location = maildir:~/Maildir

submission_relay_host = ${RELAY.host}
submission_relay_port = ${RELAY.port}
submission_relay_trusted = no

service imap-login {
${listener("imap", 143, false)}
${listener("imaps", 993, true)}
}
service pop3-login {
${listener("pop3", 110, false)}
${listener("pop3s", 995, true)}
}
service submission-login {
${listener("submission", 587, false)}
${listener("submissions", 465, true)}
}
`;
}

export const dovecotServer: LabServer = {
  name: NAME,
  product: "Dovecot",
  get version() {
    return binaryVersion([DOVECOT, "--version"], /^(\d[\w.]*)/, FALLBACK_VERSION);
  },
  // Debian's login_greeting names the product: "Dovecot (Debian) ready."
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [
    { port: 143, protocol: "imap" },
    { port: 993, protocol: "imaps" },
    { port: 110, protocol: "pop3" },
    { port: 995, protocol: "pop3s" },
    { port: 587, protocol: "smtp" },
    { port: 465, protocol: "smtps" },
  ],
  aptInstall: ["dovecot-core", "dovecot-imapd", "dovecot-pop3d", "dovecot-submissiond"],
  // the package creates them; listed so a half-removed install is repaired
  users: ["dovecot", "dovenull"],
  async prepare(ctx) {
    const l = layout(ctx);
    for (const dir of [l.dir, l.run, l.state, l.log]) await ensureDir(dir, 0o755);
    await writeOwnedFile(l.users, "", 0o644);
    await ensureDhParams(l.dh);
    const keys = await crossProtocolKeyPair(ctx);
    await writeOwnedFile(l.config, dovecotConf(ctx, keys.certFile, keys.keyFile), 0o644);
  },
  commands(ctx) {
    // -F: the master stays in the foreground; its children are found and stopped with it
    return [{ argv: [DOVECOT, "-F", "-c", layout(ctx).config] }];
  },
};
