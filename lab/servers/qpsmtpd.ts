/**
 * qpsmtpd 0.94 from Debian (installed with apt: it is no MTA of its own) on 127.77.1.11:25, run
 * as `qpsmtpd-forkserver` in the foreground with QPSMTPD_CONFIG pointing at a copy of Debian's
 * /etc/qpsmtpd in .lab-state/servers/qpsmtpd/config. Debian's plugin list is kept; changed are the
 * host name (`me`), the spool and log paths, no relay clients (Debian lists 127.0.0.1), and the
 * `tls` plugin with the lab certificate. Debian's queue-method include is empty as installed, so
 * there is no queue plugin: qpsmtpd answers every DATA with "451 Queuing declined or disabled"
 * and never hands a message on.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import { run } from "../run.js";
import type { LabContext, LabServer } from "../types.js";
import { installedDebVersion } from "../versions.js";
import { ensureDir } from "./owned-files.js";
import { installPrivateCert } from "./private-cert.js";
import { lookupSystemUser } from "./system-user.js";

const NAME = "qpsmtpd";
const IP = "127.77.1.11";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
const FORKSERVER = "/usr/bin/qpsmtpd-forkserver";
/** Debian 12's version, shown until `lab install` has installed the real one */
const FALLBACK_VERSION = "0.94";

function layout(ctx: LabContext) {
  const dir = ctx.paths.dir(NAME);
  return {
    dir,
    config: join(dir, "config"),
    spool: join(dir, "spool"),
    log: join(dir, "log"),
    tls: join(dir, "tls"),
  };
}

export const qpsmtpdServer: LabServer = {
  name: NAME,
  product: "qpsmtpd",
  get version() {
    return installedDebVersion("qpsmtpd", FALLBACK_VERSION);
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 25, protocol: "smtp" }],
  // libnet-ip-perl: a dependency its package does not pull in (lab-notes); IO::Socket::SSL for `tls`
  aptInstall: ["qpsmtpd", "libnet-ip-perl", "libio-socket-ssl-perl"],
  users: ["qpsmtpd"],
  async prepare(ctx) {
    const l = layout(ctx);
    const user = await lookupSystemUser("qpsmtpd");
    await rm(l.config, { recursive: true, force: true });
    await mkdir(l.dir, { recursive: true });
    await run(["cp", "-a", "/etc/qpsmtpd/.", l.config]);
    await ensureDir(l.spool, 0o700, user);
    await ensureDir(l.log, 0o750, user);
    // the forkserver reads its key after dropping to the qpsmtpd user
    const cert = await installPrivateCert(ctx, HOSTNAME, l.tls, user);
    await writeFile(join(l.config, "me"), `${HOSTNAME}\n`);
    await writeFile(join(l.config, "spool_dir"), `${l.spool}\n`);
    await writeFile(join(l.config, "logging"), `logging/file loglevel LOGINFO ${l.log}/qpsmtpd.log\n`);
    // nobody may relay (Debian's file lists 127.0.0.1, where the lab's clients come from)
    await writeFile(join(l.config, "relayclients"), "# smtpsurvey lab: no relay clients\n");
    await writeFile(join(l.config, "debian-rcpthosts"), `${HOSTNAME}\n`);
    // Debian's plugin list plus STARTTLS (the CA file is only needed to verify clients)
    await run([
      "sh",
      "-c",
      'printf "\\n# smtpsurvey lab\\ntls %s %s %s\\n" "$2" "$3" "$2" >> "$1"',
      "sh",
      join(l.config, "plugins"),
      cert.certFile,
      cert.keyFile,
    ]);
  },
  commands(ctx) {
    return [
      {
        argv: [FORKSERVER, "--listen-address", `${IP}:25`, "--user", "qpsmtpd"],
        env: { QPSMTPD_CONFIG: layout(ctx).config },
        // from inside a git checkout it would append `git describe` to its version (lab-notes)
        cwd: "/",
      },
    ];
  },
};
