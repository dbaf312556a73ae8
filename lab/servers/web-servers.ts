/**
 * Two more HTTP servers from Debian, installed with apt (policy-rc.d keeps the packages from
 * starting the machine's own instances) and run as our own, plain HTTP on port 80, serving one
 * static page from their directory:
 * - lighttpd 1.4.69 on 127.77.5.2: `lighttpd -D -f <lab config>` (Server: lighttpd/1.4.69);
 * - Apache httpd 2.4 (apache2-bin only, no Debian site configuration) on 127.77.5.3:
 *   `apache2 -f <lab config> -DFOREGROUND`, mpm_event, Debian's default ServerTokens (Full):
 *   `Server: Apache/2.4.x (Debian)`. Both drop root to www-data after binding.
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";

const PAGE = "<!doctype html><title>smtpsurvey lab</title><p>smtpsurvey lab\n";

const LIGHTTPD_IP = "127.77.5.2";
export const lighttpdServer: LabServer = {
  name: "lighttpd",
  product: "lighttpd",
  get version() {
    return binaryVersion(["/usr/sbin/lighttpd", "-v"], /lighttpd\/([\d.]+)/, "1.4.69");
  },
  bannerStripped: false,
  ip: LIGHTTPD_IP,
  hostname: `lighttpd.${LAB_DOMAIN}`,
  endpoints: [{ port: 80, protocol: "http" }],
  aptInstall: ["lighttpd"],
  async prepare(ctx) {
    const dir = ctx.paths.dir("lighttpd");
    await ensureDir(dir, 0o755);
    await ensureDir(join(dir, "www"), 0o755);
    await writeOwnedFile(join(dir, "www", "index.html"), PAGE, 0o644);
    const conf = `# written by smtpsurvey's lab manager
server.bind = "${LIGHTTPD_IP}"
server.port = 80
server.use-ipv6 = "disable"
server.document-root = "${join(dir, "www")}"
server.pid-file = "${join(dir, "lighttpd.pid")}"
server.username = "www-data"
server.groupname = "www-data"
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html")
`;
    await writeOwnedFile(join(dir, "lighttpd.conf"), conf, 0o644);
  },
  commands(ctx) {
    return [{ argv: ["/usr/sbin/lighttpd", "-D", "-f", join(ctx.paths.dir("lighttpd"), "lighttpd.conf")] }];
  },
};

const APACHE_IP = "127.77.5.3";
const MODULES = "/usr/lib/apache2/modules";
export const apacheServer: LabServer = {
  name: "apache",
  product: "Apache HTTP Server",
  get version() {
    return binaryVersion(["/usr/sbin/apache2", "-v"], /Apache\/([\d.]+)/, "2.4.62");
  },
  bannerStripped: false,
  ip: APACHE_IP,
  hostname: `apache.${LAB_DOMAIN}`,
  endpoints: [{ port: 80, protocol: "http" }],
  aptInstall: ["apache2-bin"],
  async prepare(ctx) {
    const dir = ctx.paths.dir("apache");
    await ensureDir(dir, 0o755);
    await ensureDir(join(dir, "www"), 0o755);
    await ensureDir(join(dir, "run"), 0o755);
    await writeOwnedFile(join(dir, "www", "index.html"), PAGE, 0o644);
    const conf = `# written by smtpsurvey's lab manager
ServerRoot "${dir}"
ServerName apache.${LAB_DOMAIN}
Listen ${APACHE_IP}:80
PidFile ${join(dir, "run", "apache2.pid")}
DefaultRuntimeDir ${join(dir, "run")}
Mutex file:${join(dir, "run")} default
ErrorLog ${join(dir, "error.log")}
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule mime_module ${MODULES}/mod_mime.so
LoadModule dir_module ${MODULES}/mod_dir.so
User www-data
Group www-data
TypesConfig /etc/mime.types
DocumentRoot "${join(dir, "www")}"
DirectoryIndex index.html
<Directory />
  Require all granted
</Directory>
`;
    await writeOwnedFile(join(dir, "apache2.conf"), conf, 0o644);
  },
  commands(ctx) {
    return [
      { argv: ["/usr/sbin/apache2", "-f", join(ctx.paths.dir("apache"), "apache2.conf"), "-DFOREGROUND"] },
    ];
  },
};
