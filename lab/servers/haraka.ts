/**
 * Haraka from npm on 127.77.1.8:25: a `haraka -i` skeleton with only the tls plugin (lab certificate)
 * and queue/discard, so nothing is ever forwarded. It runs a cluster master and one worker; stop
 * finds the worker as the master's descendant.
 */
import { existsSync } from "node:fs";
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ensureDhParams } from "../certs.js";
import { LAB_DOMAIN } from "../dns.js";
import { labPaths, npmPackageDir } from "../paths.js";
import { run } from "../run.js";
import type { LabServer } from "../types.js";
import { npmVersion } from "../versions.js";

const NPM_SPEC = "Haraka@3.3";
const NAME = "haraka";
const IP = "127.77.1.8";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;

const harakaBin = () => join(npmPackageDir(labPaths(), NPM_SPEC), "bin", "haraka");

/** smtp.ini: one listener; public_ip set so no plugin ever asks a STUN server for it. */
const SMTP_INI = `; written by smtpsurvey's lab manager on every start
listen=${IP}:25
public_ip=${IP}
nodes=1
`;

const PLUGINS = `# written by smtpsurvey's lab manager: TLS, and a queue that discards (never smtp_forward)
tls
queue/discard
`;

const TLS_INI = `; written by smtpsurvey's lab manager: the lab certificate, copied into config/
key=tls_key.pem
cert=tls_cert.pem
dhparam=dhparams.pem
`;

export const harakaServer: LabServer = {
  name: NAME,
  product: "Haraka",
  get version() {
    return npmVersion(NPM_SPEC, "3.3");
  },
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [{ port: 25, protocol: "smtp" }],
  npm: [NPM_SPEC],
  async prepare(ctx) {
    const dir = ctx.paths.dir(NAME);
    const config = join(dir, "config");
    if (!existsSync(join(config, "smtp.ini"))) await run([process.execPath, harakaBin(), "-i", dir]);
    const cert = await ctx.cert(HOSTNAME);
    await copyFile(cert.keyFile, join(config, "tls_key.pem"));
    await copyFile(cert.certFile, join(config, "tls_cert.pem"));
    await writeFile(join(config, "smtp.ini"), SMTP_INI);
    await writeFile(join(config, "plugins"), PLUGINS);
    await ensureDhParams(join(config, "dhparams.pem"));
    await writeFile(join(config, "tls.ini"), TLS_INI);
    await writeFile(join(config, "me"), `${HOSTNAME}\n`);
    await writeFile(join(config, "host_list"), `${HOSTNAME}\n`);
  },
  commands(ctx) {
    return [
      {
        argv: [process.execPath, harakaBin(), "-c", ctx.paths.dir(NAME)],
        // queue/discard only discards when told to; this makes it unconditional
        env: { YES_REALLY_DO_DISCARD: "1" },
      },
    ];
  },
};
