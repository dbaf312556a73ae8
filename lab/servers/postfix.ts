/**
 * Postfix 3.7 from Debian, unpacked (it conflicts with the other MTAs as a package), two instances:
 * Debian's default banner on 127.77.1.1 (ports 25, 587 and 465) and a product-less banner on 127.77.1.2.
 * Each has its own config, queue and data directories; none ever delivers or relays anything.
 */

import { execFileSync } from "node:child_process";
import { chown, copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import { labPaths } from "../paths.js";
import type { LabContext, LabServer } from "../types.js";
import { debUpstreamVersion } from "../versions.js";

const DEB = "postfix";
/** Debian 12's version, shown until `lab install` has unpacked the real one */
const FALLBACK_VERSION = "3.7.11";

interface PostfixInstance {
  name: string;
  ip: string;
  banner: string;
  submission: boolean;
}

/** The unpacked tree's directories (the binaries carry RUNPATH /usr/lib/postfix: we point LD_LIBRARY_PATH here). */
function tree() {
  const root = labPaths().pkg(DEB);
  return {
    root,
    lib: join(root, "usr/lib/postfix"),
    daemons: join(root, "usr/lib/postfix/sbin"),
    commands: join(root, "usr/sbin"),
    postfixFiles: join(root, "etc/postfix/postfix-files"),
    dynamicMaps: join(root, "usr/share/postfix/dynamicmaps.cf"),
  };
}

function layout(ctx: LabContext, name: string) {
  const dir = ctx.paths.dir(name);
  return {
    dir,
    config: join(dir, "etc"),
    meta: join(dir, "meta"),
    queue: join(dir, "queue"),
    data: join(dir, "data"),
    log: join(dir, "log"),
  };
}

function mainCf(
  ctx: LabContext,
  instance: PostfixInstance,
  hostname: string,
  certFile: string,
  keyFile: string,
) {
  const t = tree();
  const l = layout(ctx, instance.name);
  return `# written by smtpsurvey's lab manager on every start
compatibility_level = 3.6
config_directory = ${l.config}
queue_directory = ${l.queue}
data_directory = ${l.data}
meta_directory = ${l.meta}
daemon_directory = ${t.daemons}
command_directory = ${t.commands}
shlib_directory = ${t.lib}
# the unpacked binaries find their own libraries only through LD_LIBRARY_PATH, which postfix
# strips from the environment unless import_environment passes it on to every daemon
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH=${t.lib}
# no syslog in the lab: postlogd writes here (the prefix list must allow the path)
maillog_file = ${l.log}/maillog
maillog_file_prefixes = ${l.log}
myhostname = ${hostname}
mydomain = ${LAB_DOMAIN}
myorigin = $myhostname
mydestination =
mynetworks = 127.0.0.0/8
# the real listener is the ip:port in master.cf; 127.77.x.y is routed to lo but not configured on it,
# so naming it here fails with "no local interface found"
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
biff = no
smtpd_banner = ${instance.banner}
# never deliver or relay anything anywhere
default_transport = error:the smtpsurvey lab never delivers mail
relay_transport = error:the smtpsurvey lab never relays mail
local_transport = discard:
smtpd_tls_security_level = may
smtpd_tls_cert_file = ${certFile}
smtpd_tls_key_file = ${keyFile}
`;
}

/** chroot off everywhere: the unpacked tree has no chroot skeleton. */
function masterCf(instance: PostfixInstance): string {
  const listeners = [`${instance.ip}:25 inet n - n - - smtpd`];
  if (instance.submission) {
    listeners.push(
      `${instance.ip}:587 inet n - n - - smtpd`,
      "  -o syslog_name=postfix/submission",
      "  -o smtpd_tls_security_level=encrypt",
      // smtps: implicit TLS (RFC 8314), the same smtpd behind a TLS wrapper
      `${instance.ip}:465 inet n - n - - smtpd`,
      "  -o syslog_name=postfix/smtps",
      "  -o smtpd_tls_wrappermode=yes",
    );
  }
  return `# written by smtpsurvey's lab manager on every start
${listeners.join("\n")}
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
`;
}

function userIds(user: string): { uid: number; gid: number } {
  // node has no getpwnam; `id` is always there
  const uid = Number(execFileSync("id", ["-u", user]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", user]).toString().trim());
  return { uid, gid };
}

function postfixServer(instance: PostfixInstance): LabServer {
  const hostname = `${instance.name}.${LAB_DOMAIN}`;
  return {
    name: instance.name,
    product: "Postfix",
    get version() {
      return debUpstreamVersion(DEB, FALLBACK_VERSION);
    },
    bannerStripped: !instance.banner.includes("$mail_name"),
    ip: instance.ip,
    hostname,
    endpoints: instance.submission
      ? [
          { port: 25, protocol: "smtp" },
          { port: 587, protocol: "smtp" },
          { port: 465, protocol: "smtps" },
        ]
      : [{ port: 25, protocol: "smtp" }],
    unpack: [DEB],
    // the libraries the unpacked binaries link against (Debian's postfix Depends)
    aptInstall: ["libdb5.3", "libicu72", "libnsl2", "libsasl2-2", "libssl3", "netbase", "cpio"],
    users: ["postfix", "postdrop"],
    async prepare(ctx) {
      const l = layout(ctx, instance.name);
      for (const dir of [l.config, l.meta, l.queue, l.data, l.log]) await mkdir(dir, { recursive: true });
      // master takes its lock in data_directory after dropping to mail_owner
      const owner = userIds("postfix");
      await chown(l.data, owner.uid, owner.gid);
      const cert = await ctx.cert(hostname);
      await writeFile(
        join(l.config, "main.cf"),
        mainCf(ctx, instance, hostname, cert.certFile, cert.keyFile),
      );
      await writeFile(join(l.config, "master.cf"), masterCf(instance));
      // post-install create-missing builds the queue from these, in meta_directory
      await copyFile(tree().postfixFiles, join(l.meta, "postfix-files"));
      await copyFile(tree().dynamicMaps, join(l.meta, "dynamicmaps.cf"));
    },
    commands(ctx) {
      const t = tree();
      return [
        {
          // start-fg keeps postfix-script in the foreground with master as its child
          argv: [join(t.commands, "postfix"), "-c", layout(ctx, instance.name).config, "start-fg"],
          env: { LD_LIBRARY_PATH: t.lib },
        },
      ];
    },
  };
}

export const postfixServers: LabServer[] = [
  postfixServer({
    name: "postfix",
    ip: "127.77.1.1",
    // Debian's own main.cf sets this banner
    banner: "$myhostname ESMTP $mail_name (Debian/GNU)",
    submission: true,
  }),
  postfixServer({
    name: "postfix-stripped",
    ip: "127.77.1.2",
    banner: "$myhostname ESMTP",
    submission: false,
  }),
];
