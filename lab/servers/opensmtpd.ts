import path from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { debUpstreamVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";
import { installPrivateCert } from "./private-cert.js";

const OPENSMTPD_PACKAGE = "opensmtpd";
/** Debian 12's opensmtpd is 6.8.0p2-4+b4: the answer before `lab install` ran. */
const FALLBACK_VERSION = "6.8.0p2";
/**
 * Compiled into Debian's smtpd: the privilege-separation chroot must exist, root-owned and not
 * writable by others. The queue (/var/spool/smtpd) is compiled in too and smtpd creates it
 * itself; both are why only one OpenSMTPD can run per machine.
 */
const PRIVSEP_CHROOT = "/var/lib/opensmtpd/empty";

const NAME = "opensmtpd";
const IP = "127.77.1.7";
const HOSTNAME = `opensmtpd.${LAB_DOMAIN}`;

function opensmtpdFiles(ctx: LabContext) {
  const dir = ctx.paths.dir(NAME);
  return {
    dir,
    configFile: path.join(dir, "smtpd.conf"),
    tlsDir: path.join(dir, "tls"),
    smtpd: path.join(ctx.paths.pkg(OPENSMTPD_PACKAGE), "usr/sbin/smtpd"),
  };
}

/** STARTTLS offered on the lab address; every envelope refused, so nothing is ever queued. */
function renderSmtpdConf(certFile: string, keyFile: string): string {
  return [
    "# smtpsurvey lab: generated on every start, edits are lost.",
    `pki ${HOSTNAME} cert "${certFile}"`,
    `pki ${HOSTNAME} key "${keyFile}"`,
    `listen on ${IP} port 25 tls pki ${HOSTNAME} hostname ${HOSTNAME}`,
    "match from any for any reject",
    "",
  ].join("\n");
}

const opensmtpd: LabServer = {
  name: NAME,
  product: "OpenSMTPD",
  // A getter: read from the unpacked package's Version once `lab install` has run.
  get version() {
    return debUpstreamVersion(OPENSMTPD_PACKAGE, FALLBACK_VERSION);
  },
  // Its banner is `H ESMTP OpenSMTPD` whatever the configuration: no version to hide.
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 25, protocol: "smtp" }],
  unpack: [OPENSMTPD_PACKAGE],
  aptInstall: ["libevent-2.1-7", "libssl3", "libdb5.3", "libpam0g", "zlib1g"],
  // smtpd's privilege-separated processes run as these (compiled in).
  users: ["opensmtpd", "opensmtpq"],
  async prepare(ctx) {
    const files = opensmtpdFiles(ctx);
    await ensureDir(files.dir, 0o755);
    await ensureDir(PRIVSEP_CHROOT, 0o755);
    // smtpd refuses a key that group or others can read.
    const cert = await installPrivateCert(ctx, HOSTNAME, files.tlsDir);
    await writeOwnedFile(files.configFile, renderSmtpdConf(cert.certFile, cert.keyFile), 0o644);
  },
  commands(ctx) {
    const files = opensmtpdFiles(ctx);
    // -d: stay in the foreground and log to stderr.
    return [{ argv: [files.smtpd, "-d", "-f", files.configFile] }];
  },
};

/** One instance only: the queue and chroot are compiled in. */
export const opensmtpdServers: LabServer[] = [opensmtpd];
