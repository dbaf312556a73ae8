/**
 * chasquid 1.11 from Debian, unpacked (it provides mail-transport-agent, so it conflicts with the
 * other MTAs as a package), on 127.77.1.13: SMTP 25, submission 587 (STARTTLS) and 465 (implicit
 * TLS), the three listeners chasquid has by default (Debian's would be systemd sockets on every
 * address). Its configuration directory is .lab-state/servers/chasquid/config with the lab
 * certificate in chasquid's certbot-style layout (certs/<host>/fullchain.pem + privkey.pem).
 * Its only domain is its own host name, with no users and no aliases (chasquid will not start
 * without a domain), and nobody can authenticate, so every recipient is refused (unknown user,
 * or relay not allowed); the delivery agent is /bin/false in case anything were ever queued.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import { labPaths } from "../paths.js";
import type { LabContext, LabServer } from "../types.js";
import { debUpstreamVersion } from "../versions.js";
import { copyOwnedFile, ensureDir } from "./owned-files.js";

const DEB = "chasquid";
const NAME = "chasquid";
const IP = "127.77.1.13";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
/** Debian 12's version, shown until `lab install` has unpacked the real one */
const FALLBACK_VERSION = "1.11";

function layout(ctx: LabContext) {
  const dir = ctx.paths.dir(NAME);
  const config = join(dir, "config");
  return {
    dir,
    config,
    /** chasquid refuses to start without a domain: its own, with no users and no aliases */
    domain: join(config, "domains", HOSTNAME),
    certs: join(config, "certs", HOSTNAME),
    data: join(dir, "data"),
    log: join(dir, "log"),
  };
}

function chasquidConf(ctx: LabContext): string {
  const l = layout(ctx);
  return `# written by smtpsurvey's lab manager on every start
hostname: "${HOSTNAME}"
smtp_address: "${IP}:25"
submission_address: "${IP}:587"
submission_over_tls_address: "${IP}:465"
# never delivers: no local domains, no users, and a delivery agent that always fails
mail_delivery_agent_bin: "/bin/false"
data_dir: "${l.data}"
mail_log_path: "${l.log}/mail.log"
`;
}

export const chasquidServer: LabServer = {
  name: NAME,
  product: "chasquid",
  get version() {
    return debUpstreamVersion(DEB, FALLBACK_VERSION);
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [
    { port: 25, protocol: "smtp" },
    { port: 587, protocol: "smtp" },
    { port: 465, protocol: "smtps" },
  ],
  unpack: [DEB],
  async prepare(ctx) {
    const l = layout(ctx);
    for (const dir of [l.config, l.domain, l.data, l.log]) await mkdir(dir, { recursive: true });
    // certbot's layout and file names, which chasquid expects
    const cert = await ctx.cert(HOSTNAME);
    await ensureDir(l.certs, 0o755);
    await copyOwnedFile(cert.certFile, join(l.certs, "fullchain.pem"), 0o644);
    await copyOwnedFile(cert.keyFile, join(l.certs, "privkey.pem"), 0o600);
    await writeFile(join(l.config, "chasquid.conf"), chasquidConf(ctx));
  },
  commands(ctx) {
    const binary = join(labPaths().pkg(DEB), "usr/bin/chasquid");
    return [{ argv: [binary, "-config_dir", layout(ctx).config, "-alsologtostderr"], cwd: "/" }];
  },
};
