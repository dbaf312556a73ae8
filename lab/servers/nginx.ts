/**
 * nginx 1.22 from Debian (installed normally) at 127.77.5.1: HTTP on 80, HTTPS on 443, with THE
 * SAME certificate and key as the lab Postfix on 25/587/465 (ctx.cert returns the same files for
 * the same name), so tests can show one key identity across protocols and ports.
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";

const NAME = "nginx";
const IP = "127.77.5.1";
const HOSTNAME = `${NAME}.${LAB_DOMAIN}`;
const NGINX = "/usr/sbin/nginx";
/** Debian 12's version, shown until `lab install` has installed the real one */
const FALLBACK_VERSION = "1.22.1";
/** the host name whose lab certificate Postfix uses (lab/servers/postfix.ts) */
const SHARED_CERT_NAME = `postfix.${LAB_DOMAIN}`;

function layout(ctx: LabContext) {
  const dir = ctx.paths.dir(NAME);
  return { dir, config: join(dir, "nginx.conf"), log: join(dir, "log"), temp: join(dir, "temp") };
}

function nginxConf(ctx: LabContext, certFile: string, keyFile: string): string {
  const l = layout(ctx);
  return `# written by smtpsurvey's lab manager on every start
user www-data;
worker_processes 1;
pid ${l.dir}/nginx.pid;
error_log ${l.log}/error.log;
events { worker_connections 64; }
http {
  access_log ${l.log}/access.log;
  client_body_temp_path ${l.temp}/client_body;
  proxy_temp_path ${l.temp}/proxy;
  fastcgi_temp_path ${l.temp}/fastcgi;
  uwsgi_temp_path ${l.temp}/uwsgi;
  scgi_temp_path ${l.temp}/scgi;
  default_type text/plain;
  server {
    listen ${IP}:80;
    listen ${IP}:443 ssl;
    server_name ${HOSTNAME};
    ssl_certificate ${certFile};
    ssl_certificate_key ${keyFile};
    # 1.22's built-in default lacks TLS 1.3 (lab-notes)
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "smtpsurvey lab\\n"; }
  }
}
`;
}

export const nginxServer: LabServer = {
  name: NAME,
  product: "nginx",
  get version() {
    return binaryVersion([NGINX, "-v"], /nginx\/(\d[\w.]*)/, FALLBACK_VERSION);
  },
  // server_tokens stays on: `Server: nginx/1.22.1`
  bannerStripped: false,
  ip: IP,
  hostname: HOSTNAME,
  endpoints: [
    { port: 80, protocol: "http" },
    { port: 443, protocol: "https" },
  ],
  aptInstall: ["nginx"],
  users: ["www-data"],
  async prepare(ctx) {
    const l = layout(ctx);
    for (const dir of [l.dir, l.log, l.temp]) await ensureDir(dir, 0o755);
    const cert = await ctx.cert(SHARED_CERT_NAME);
    await writeOwnedFile(l.config, nginxConf(ctx, cert.certFile, cert.keyFile), 0o644);
  },
  commands(ctx) {
    const l = layout(ctx);
    // -e: errors before the configuration is read go here too, not to /var/log/nginx
    return [{ argv: [NGINX, "-p", l.dir, "-c", l.config, "-e", `${l.log}/error.log`, "-g", "daemon off;"] }];
  },
};
