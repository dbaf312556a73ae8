/**
 * Nodemailer's smtp-server (npm) on 127.77.1.9:25, run by lab/servers/smtp-server-main.mjs with the
 * library's defaults: its STARTTLS certificate is the one shipped inside the package, on purpose.
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import { npmPrefix } from "../paths.js";
import type { LabServer } from "../types.js";
import { npmVersion } from "../versions.js";

const NPM_SPEC = "smtp-server@3.21";
const NAME = "smtp-server";
const IP = "127.77.1.9";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;

export const smtpServerServer: LabServer = {
  name: NAME,
  product: "smtp-server",
  get version() {
    return npmVersion(NPM_SPEC, "3.21");
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 25, protocol: "smtp" }],
  npm: [NPM_SPEC],
  async prepare() {
    // nothing to write: every setting is on the command line
  },
  commands(ctx) {
    // a plain .mjs in the source tree (not compiled), so it runs the same from lab/ and from dist/
    const script = join(ctx.paths.repo, "lab", "servers", "smtp-server-main.mjs");
    return [{ argv: [process.execPath, script, npmPrefix(ctx.paths, NPM_SPEC), IP, "25", HOSTNAME] }];
  },
};
