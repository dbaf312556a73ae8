/**
 * OpenSSH 9.2 from Debian, unpacked (installing openssh-server would run its maintainer scripts,
 * which make /etc/ssh keys and want to start the machine's own sshd on 0.0.0.0:22), two
 * instances with the same host keys: Debian's identification (`SSH-2.0-OpenSSH_9.2p1
 * Debian-2+deb12u…`) on 127.77.3.1 and `DebianBanner no` (`SSH-2.0-OpenSSH_9.2p1`) on 127.77.3.2.
 * Nobody can log in: no PAM, no passwords, no keys, and AllowUsers names a user that does not exist.
 */
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import type { LabContext, LabServer } from "../types.js";
import { debUpstreamVersion } from "../versions.js";
import { ensureDir, writeOwnedFile } from "./owned-files.js";
import { ensureOpensshHostKeys, opensshHostKeyFiles } from "./ssh-host-keys.js";

const DEB = "openssh-server";
/** Debian 12's version, shown until `lab install` has unpacked the real one */
const FALLBACK_VERSION = "9.2p1";
/** sshd's privilege separation directory, compiled into Debian's build */
const PRIVSEP_DIR = "/run/sshd";

interface OpensshInstance {
  name: string;
  ip: string;
  debianBanner: boolean;
}

function sshdBinary(ctx: LabContext): string {
  return join(ctx.paths.pkg(DEB), "usr/sbin/sshd");
}

function configFile(ctx: LabContext, name: string): string {
  return join(ctx.paths.dir(name), "sshd_config");
}

function sshdConfig(ctx: LabContext, instance: OpensshInstance): string {
  const dir = ctx.paths.dir(instance.name);
  const hostKeys = opensshHostKeyFiles(ctx.paths).map((file) => `HostKey ${file}`);
  return `# written by smtpsurvey's lab manager on every start
ListenAddress ${instance.ip}:22
${hostKeys.join("\n")}
PidFile ${join(dir, "sshd.pid")}
# the package's groups for diffie-hellman-group-exchange (the compiled-in /etc/ssh/moduli is not there)
ModuliFile ${join(ctx.paths.pkg(DEB), "etc/ssh/moduli")}
# Debian's patch: "no" drops the " Debian-2+deb12u…" comment from the identification
DebianBanner ${instance.debianBanner ? "yes" : "no"}
# nobody ever logs in
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication no
HostbasedAuthentication no
GSSAPIAuthentication no
PermitRootLogin no
AuthorizedKeysFile none
AllowUsers nobody-here
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
PrintMotd no
LoginGraceTime 10
# the tests open a few handshakes per key type at once
MaxStartups 100
LogLevel INFO
`;
}

function opensshServer(instance: OpensshInstance): LabServer {
  return {
    name: instance.name,
    product: "OpenSSH",
    get version() {
      return debUpstreamVersion(DEB, FALLBACK_VERSION);
    },
    // `DebianBanner no` hides only Debian's suffix: product and version stay in the identification
    bannerStripped: false,
    ip: instance.ip,
    hostname: `${instance.name}.${LAB_DOMAIN}`,
    endpoints: [{ port: 22, protocol: "ssh" }],
    unpack: [DEB],
    // what Debian's sshd links against (openssh-server's Depends), and ssh-keygen for the keys
    aptInstall: [
      "openssh-client",
      "libaudit1",
      "libcom-err2",
      "libcrypt1",
      "libgssapi-krb5-2",
      "libkrb5-3",
      "libpam0g",
      "libselinux1",
      "libssl3",
      "libsystemd0",
      "libwrap0",
      "zlib1g",
    ],
    // the privilege separation user compiled into sshd
    users: ["sshd"],
    async prepare(ctx) {
      await ensureDir(ctx.paths.dir(instance.name), 0o755);
      // sshd checks that it is root's and nobody else can write to it
      await ensureDir(PRIVSEP_DIR, 0o755);
      await ensureOpensshHostKeys(ctx.paths);
      await writeOwnedFile(configFile(ctx, instance.name), sshdConfig(ctx, instance), 0o644);
    },
    commands(ctx) {
      // -D: foreground; -e: log to stderr (daemon.log); sshd re-execs itself, so an absolute path
      return [{ argv: [sshdBinary(ctx), "-D", "-e", "-f", configFile(ctx, instance.name)] }];
    },
  };
}

export const opensshServers: LabServer[] = [
  opensshServer({ name: "openssh", ip: "127.77.3.1", debianBanner: true }),
  opensshServer({ name: "openssh-nobanner", ip: "127.77.3.2", debianBanner: false }),
];
