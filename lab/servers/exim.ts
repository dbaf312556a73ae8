import path from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { debUpstreamVersion } from "../versions.js";
import { renderEximConfig } from "./exim-config.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";
import { installPrivateCert } from "./private-cert.js";
import { lookupSystemUser } from "./system-user.js";

const EXIM_PACKAGE = "exim4-daemon-light";
/** Debian 12's exim4-daemon-light is 4.96-15+deb12u10: the answer before `lab install` ran. */
const FALLBACK_VERSION = "4.96";
/** Debian's build has this exim_user compiled in; it must own spool, log and key. */
const EXIM_USER = "Debian-exim";

interface EximInstance {
  name: string;
  ip: string;
  hostname: string;
  /** undefined: Exim's default `$smtp_active_hostname ESMTP Exim $version_number $tod_full` */
  smtpBanner: string | undefined;
}

function eximFiles(ctx: LabContext, name: string) {
  const dir = ctx.paths.dir(name);
  return {
    dir,
    configFile: path.join(dir, "exim.conf"),
    spoolDir: path.join(dir, "spool"),
    logDir: path.join(dir, "log"),
    runDir: path.join(dir, "run"),
    tlsDir: path.join(dir, "tls"),
    eximPath: path.join(ctx.paths.pkg(EXIM_PACKAGE), "usr/sbin/exim4"),
  };
}

function eximServer(instance: EximInstance): LabServer {
  return {
    name: instance.name,
    product: "Exim",
    // A getter: read from the unpacked package's Version once `lab install` has run.
    get version() {
      return debUpstreamVersion(EXIM_PACKAGE, FALLBACK_VERSION);
    },
    bannerStripped: instance.smtpBanner !== undefined,
    ip: instance.ip,
    hostname: instance.hostname,
    endpoints: [{ port: 25, protocol: "smtp" }],
    // exim4-base and exim4-config are what exim4-daemon-light depends on; the daemon needs
    // neither (the configuration is self-contained), they keep the unpacked tree complete.
    unpack: [EXIM_PACKAGE, "exim4-base", "exim4-config"],
    // The daemon's shared libraries; libidn12 is the one a bare Debian 12 lacks.
    aptInstall: ["libidn12", "libgnutls30", "libgnutls-dane0", "libpcre2-8-0", "libdb5.3", "libnsl2"],
    users: [EXIM_USER],
    async prepare(ctx) {
      const files = eximFiles(ctx, instance.name);
      const exim = await lookupSystemUser(EXIM_USER);
      await ensureDir(files.dir, 0o755);
      // With a configuration outside /etc/exim4/trusted_configs Exim gives up root after binding
      // port 25, so everything it writes or reads later must belong to Debian-exim.
      await ensureDir(files.spoolDir, 0o750, exim);
      await ensureDir(files.logDir, 0o750, exim);
      await ensureDir(files.runDir, 0o755, exim);
      const cert = await installPrivateCert(ctx, instance.hostname, files.tlsDir, exim);
      const config = renderEximConfig({
        eximPath: files.eximPath,
        hostname: instance.hostname,
        ip: instance.ip,
        spoolDir: files.spoolDir,
        logDir: files.logDir,
        pidFile: path.join(files.runDir, "exim.pid"),
        certFile: cert.certFile,
        keyFile: cert.keyFile,
        smtpBanner: instance.smtpBanner,
      });
      // Exim refuses a configuration file not owned by root, or one that others can write to.
      await writeOwnedFile(files.configFile, config, 0o644);
    },
    commands(ctx) {
      const files = eximFiles(ctx, instance.name);
      // -bdf: listening daemon in the foreground; no -q, so no queue runner either.
      return [{ argv: [files.eximPath, "-C", files.configFile, "-bdf"] }];
    },
  };
}

export const eximServers: LabServer[] = [
  eximServer({
    name: "exim",
    ip: "127.77.1.3",
    hostname: `exim.${LAB_DOMAIN}`,
    smtpBanner: undefined,
  }),
  eximServer({
    name: "exim-stripped",
    ip: "127.77.1.4",
    hostname: `exim-stripped.${LAB_DOMAIN}`,
    smtpBanner: "$smtp_active_hostname ESMTP",
  }),
];
