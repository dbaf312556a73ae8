/**
 * Courier-MTA 1.0.16 from Debian on 127.77.1.10:25. Its paths are compiled in (/etc/courier,
 * /var/lib/courier, /run/courier), so it is installed with apt (`--no-remove`: apt refuses rather
 * than remove another MTA) and runs once per machine. The machine's /etc/courier is never
 * touched: on every start it is copied to .lab-state/servers/courier/etc, adjusted, and
 * bind-mounted over /etc/courier inside the daemon's own mount namespace.
 *
 * Debian's defaults are kept: the tarpit (8/16/32 s after errors), 5 connections per IP, the
 * DNS check of the sender's domain (answered by the lab DNS; Courier's resolver ignores
 * /etc/hosts) and STARTTLS. What is changed: the listening address, the host name (`me`), the
 * certificate, no access file (Debian's would make 127.0.0.1 a relay client: now nobody may
 * relay) and local delivery into a discarding pipe; remote deliveries (bounces) could only reach
 * lab names, the lab DNS answering NXDOMAIN for everything else.
 */
import { appendFile, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import { run } from "../run.js";
import type { LabCommand, LabContext, LabServer } from "../types.js";
import { installedDebVersion } from "../versions.js";
import { copyOwnedFile } from "./owned-files.js";
import { lookupSystemUser } from "./system-user.js";

const NAME = "courier";
const IP = "127.77.1.10";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
const SYSCONF = "/etc/courier";
/** Debian 12's version, shown until `lab install` has installed the real one */
const FALLBACK_VERSION = "1.0.16";

function etcCopy(ctx: LabContext): string {
  return join(ctx.paths.dir(NAME), "etc");
}

/** Runs `script` with the lab's copy of the configuration over /etc/courier (we are in our own namespace). */
function withLabConfig(ctx: LabContext, script: string): LabCommand {
  return {
    argv: ["sh", "-c", `mount --bind "$1" ${SYSCONF} && shift && ${script}`, "courier-lab", etcCopy(ctx)],
    cwd: "/usr",
  };
}

/**
 * authdaemond and courierd daemonize themselves (their `start` commands); couriertcpd, the
 * listener, runs in the foreground with the options Debian's `esmtpd start` would give it, minus
 * `-pid` (which would detach it).
 */
const START = [
  "mkdir -p /run/courier",
  "/usr/sbin/authdaemond start",
  "/usr/sbin/courier start",
  `exec /usr/bin/env -i /bin/sh -c 'prefix=/usr; exec_prefix=/usr; sysconfdir=${SYSCONF}; sbindir=/usr/sbin; set -a; . ${SYSCONF}/esmtpd; ulimit -d $ULIMIT; exec /usr/sbin/couriertcpd $TCPDOPTS -user=$MAILUSER -group=$MAILGROUP -address=$ADDRESS -maxprocs=$MAXDAEMONS -maxperc=$MAXPERC -maxperip=$MAXPERIP $PORT /usr/sbin/courieresmtpd >/dev/null 2>&1 </dev/null'`,
].join(" && ");

/** courierd ignores SIGTERM: `courier stop` first (lab-notes), then authdaemond's own stop. */
const STOP = "/usr/sbin/courier stop; /usr/sbin/authdaemond stop; true";

export const courierServer: LabServer = {
  name: NAME,
  product: "Courier-MTA",
  get version() {
    return installedDebVersion("courier-mta", FALLBACK_VERSION);
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 25, protocol: "smtp" }],
  aptInstall: ["courier-mta"],
  async prepare(ctx) {
    const etc = etcCopy(ctx);
    await rm(etc, { recursive: true, force: true });
    // On a fresh machine nothing has made the server's directory yet.
    await mkdir(etc, { recursive: true });
    // cp -a keeps Debian's owners and modes (root:courier 0640 and the like)
    await run(["cp", "-a", `${SYSCONF}/.`, etc]);
    const courier = await lookupSystemUser("courier");
    const cert = await ctx.cert(HOSTNAME);
    // couriertls reads certificate and key from one file after dropping to the courier user
    await copyOwnedFile(cert.comboFile, join(etc, "esmtpd.pem"), 0o640, { uid: 0, gid: courier.gid });
    await writeFile(join(etc, "me"), `${HOSTNAME}\n`);
    await writeFile(join(etc, "defaultdomain"), `${HOSTNAME}\n`);
    // as Debian's postinst writes it: localhost and the host's own name
    await writeFile(join(etc, "locals"), `localhost\n${HOSTNAME}\n`);
    await writeFile(join(etc, "dsnfrom"), `"Courier mail server at ${HOSTNAME}" <@>\n`);
    // the listener's address (Debian listens on every address); everything else is Debian's
    await appendFile(join(etc, "esmtpd"), `\n# smtpsurvey lab\nADDRESS=${IP}\n`);
    // no smtpaccess.dat: nobody is a RELAYCLIENT (Debian's smtpaccess/default would make 127.0.0.1 one)
    await rm(join(etc, "smtpaccess.dat"), { force: true });
    // Debian's output modules stay (courierd restarts its children a minute later when one is
    // missing or exits); local delivery discards, like Postfix's `local_transport = discard:`
    await appendFile(
      join(etc, "courierd"),
      '\n# smtpsurvey lab: local mail is discarded\nDEFAULTDELIVERY="| /bin/cat >/dev/null"\n',
    );
  },
  commands(ctx) {
    return [withLabConfig(ctx, START)];
  },
  beforeStop(ctx) {
    return withLabConfig(ctx, STOP);
  },
};
