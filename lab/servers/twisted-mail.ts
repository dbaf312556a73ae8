/**
 * Twisted Mail 22.4.0 (Debian python3-twisted, installed with apt) on 127.77.1.15:25: the
 * package's own `twistd3 mail` plugin in the foreground, ESMTP on (`-E`, which requires
 * `-H` — the lab host name), no POP3, one maildir domain (the lab's) with no users, so every
 * recipient is refused (550) and nothing is stored, relayed or delivered; AUTH CRAM-MD5 is
 * offered, with no user to authenticate. No certificate: STARTTLS answers 454 and is not listed.
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir } from "./owned-files.js";

const NAME = "twisted-mail";
const IP = "127.77.1.15";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
const TWISTD = "/usr/bin/twistd3";

export const twistedMailServer: LabServer = {
  name: NAME,
  product: "Twisted Mail",
  get version() {
    return binaryVersion([TWISTD, "--version"], /Twisted daemon\) ([\d.]+)/, "22.4.0");
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 25, protocol: "smtp" }],
  offersStartTls: false,
  aptInstall: ["python3-twisted"],
  async prepare(ctx) {
    const dir = ctx.paths.dir(NAME);
    await ensureDir(dir, 0o755);
    await ensureDir(join(dir, "maildir"), 0o700);
  },
  commands(ctx) {
    const maildir = join(ctx.paths.dir(NAME), "maildir");
    return [
      {
        argv: [
          TWISTD,
          "-n",
          "--pidfile=",
          "--logfile=-",
          "mail",
          "-E",
          "-H",
          HOSTNAME,
          `--smtp=tcp:25:interface=${IP}`,
          "--no-pop3",
          `--maildirdbmdomain=${LAB_DOMAIN}=${maildir}`,
        ],
        env: { PYTHONUNBUFFERED: "1" },
        cwd: "/",
      },
    ];
  },
};
