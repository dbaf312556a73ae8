import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { debUpstreamVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";
import { installPrivateCert } from "./private-cert.js";
import { renderSendmailMc } from "./sendmail-mc.js";

const run = promisify(execFile);

const BIN_PACKAGE = "sendmail-bin";
/** Debian 12's sendmail-bin is 8.17.1.9-2+deb12u2: the answer before `lab install` ran. */
const FALLBACK_VERSION = "8.17.1.9";
const CF_PACKAGE = "sendmail-cf";

interface SendmailInstance {
  name: string;
  ip: string;
  hostname: string;
  bannerStripped: boolean;
  /** SmtpGreetingMessage; Sendmail inserts "ESMTP" after its first word */
  loginMessage: string;
}

function sendmailFiles(ctx: LabContext, name: string) {
  const dir = ctx.paths.dir(name);
  const bin = ctx.paths.pkg(BIN_PACKAGE);
  return {
    dir,
    mcFile: path.join(dir, "sendmail.mc"),
    cfFile: path.join(dir, "sendmail.cf"),
    tlsDir: path.join(dir, "tls"),
    sendmail: path.join(bin, "usr/libexec/sendmail/sendmail"),
    helpFile: path.join(bin, "etc/mail/helpfile"),
    cfDir: path.join(ctx.paths.pkg(CF_PACKAGE), "usr/share/sendmail/cf"),
  };
}

/** Files Sendmail opens at start-up and complains or stops without, in their Debian form. */
async function writeSettingsFiles(dir: string, hostname: string): Promise<void> {
  await writeOwnedFile(path.join(dir, "local-host-names"), `${hostname}\n`, 0o644);
  await writeOwnedFile(path.join(dir, "trusted-users"), "", 0o644);
  await writeOwnedFile(path.join(dir, "aliases"), "postmaster: root\nMAILER-DAEMON: postmaster\n", 0o644);
  // The hosts file first: the lab's names are in the hosts file bind-mounted over /etc/hosts.
  await writeOwnedFile(
    path.join(dir, "service.switch"),
    "passwd files\nhosts files dns\naliases files\n",
    0o644,
  );
}

function sendmailServer(instance: SendmailInstance): LabServer {
  return {
    name: instance.name,
    product: "Sendmail",
    // A getter: read from the unpacked package's Version once `lab install` has run.
    get version() {
      return debUpstreamVersion(BIN_PACKAGE, FALLBACK_VERSION);
    },
    bannerStripped: instance.bannerStripped,
    ip: instance.ip,
    hostname: instance.hostname,
    endpoints: [{ port: 25, protocol: "smtp" }],
    unpack: [BIN_PACKAGE, CF_PACKAGE, "sendmail-base"],
    // m4 builds the .cf; libwrap0 is the daemon's one library a bare Debian 12 lacks.
    aptInstall: ["m4", "libwrap0", "libsasl2-2", "libldap-2.5-0", "liblockfile1", "libdb5.3", "libnsl2"],
    // TrustedUser in Debian's DOMAIN(debian-mta); files are owned by root otherwise.
    users: ["smmta"],
    async prepare(ctx) {
      const files = sendmailFiles(ctx, instance.name);
      await ensureDir(files.dir, 0o755);
      // Sendmail refuses a group- or world-writable queue; it creates its own qf/df files.
      await ensureDir(path.join(files.dir, "mqueue"), 0o700);
      await ensureDir(path.join(files.dir, "host_status"), 0o750);
      await ensureDir(path.join(files.dir, "run"), 0o755);
      await writeSettingsFiles(files.dir, instance.hostname);
      const cert = await installPrivateCert(ctx, instance.hostname, files.tlsDir);
      const mc = renderSendmailMc({
        cfDir: `${files.cfDir}/`,
        settingsDir: `${files.dir}/`,
        hostname: instance.hostname,
        ip: instance.ip,
        helpFile: files.helpFile,
        certFile: cert.certFile,
        keyFile: cert.keyFile,
        loginMessage: instance.loginMessage,
      });
      await writeOwnedFile(files.mcFile, mc, 0o644);
      const { stdout, stderr } = await run("m4", [files.mcFile], { maxBuffer: 16 * 1024 * 1024 });
      // cf's m4 macros report mistakes with errprint and still exit 0.
      if (stderr.trim() !== "") throw new Error(`m4 ${files.mcFile}: ${stderr.trim()}`);
      await writeOwnedFile(files.cfFile, stdout, 0o644);
    },
    commands(ctx) {
      const files = sendmailFiles(ctx, instance.name);
      // newaliases runs here, inside the lab's mount namespace, because Sendmail sleeps 60 s
      // when the machine's own name does not resolve to an FQDN, and only the lab hosts file
      // makes it do so. exec keeps the daemon on the PID the manager recorded. -bD: foreground.
      const script = 'set -e; "$1" -C "$2" -bi >/dev/null; exec "$1" -C "$2" -bD';
      return [{ argv: ["/bin/sh", "-c", script, "sendmail-lab", files.sendmail, files.cfFile] }];
    },
  };
}

export const sendmailServers: LabServer[] = [
  sendmailServer({
    name: "sendmail",
    ip: "127.77.1.5",
    hostname: `sendmail.${LAB_DOMAIN}`,
    bannerStripped: false,
    // Sendmail's own default (cf/m4/proto.m4). Debian's OSTYPE(debian) would append
    // "; (No UCE/UBE) logging access from: …", which we leave out to keep the upstream banner.
    loginMessage: "$j Sendmail $v/$Z; $b",
  }),
  sendmailServer({
    name: "sendmail-stripped",
    ip: "127.77.1.6",
    hostname: `sendmail-stripped.${LAB_DOMAIN}`,
    bannerStripped: true,
    // The banner becomes `H ESMTP`; HELP still names the version (the help file is kept).
    loginMessage: "$j",
  }),
];
