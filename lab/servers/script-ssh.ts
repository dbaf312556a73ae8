/**
 * SSH servers the lab runs from a small script of its own (AsyncSSH, Paramiko) or from a package
 * binary (TinySSH): each has its own host keys, made once with ssh-keygen in its directory.
 * Nobody can log in anywhere: public-key auth is offered and every key is refused.
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import { run } from "../run.js";
import type { LabContext, LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";
import { ensureDir } from "./owned-files.js";

const PYTHON = "/usr/bin/python3";

/** OpenSSH-format private keys (ssh-keygen), mode 0600: ed25519 and ecdsa-p256 (and rsa when asked). */
export async function ensureKeys(
  dir: string,
  types: Array<"ed25519" | "ecdsa" | "rsa">,
  format?: "PEM",
): Promise<string[]> {
  await ensureDir(dir, 0o700);
  const files: string[] = [];
  for (const type of types) {
    const file = join(dir, `ssh_host_${type}_key`);
    if (!existsSync(file)) {
      const tmp = `${file}.tmp`;
      await rm(tmp, { force: true });
      await rm(`${tmp}.pub`, { force: true });
      const bits = type === "rsa" ? ["-b", "3072"] : type === "ecdsa" ? ["-b", "256"] : [];
      await run([
        "ssh-keygen",
        "-q",
        "-t",
        type,
        ...bits,
        "-N",
        "",
        "-C",
        "",
        ...(format ? ["-m", format] : []),
        "-f",
        tmp,
      ]);
      await rename(`${tmp}.pub`, `${file}.pub`);
      await rename(tmp, file);
    }
    files.push(file);
  }
  return files;
}

interface ScriptSsh {
  name: string;
  product: string;
  ip: string;
  script: string;
  debPackage: string;
  versionCode: string;
  fallbackVersion: string;
  keyTypes: Array<"ed25519" | "ecdsa" | "rsa">;
  keyFormat?: "PEM";
}

function scriptSshServer(o: ScriptSsh): LabServer {
  const keyDir = (ctx: LabContext) => join(ctx.paths.dir(o.name), "keys");
  const keyFiles = (ctx: LabContext) => o.keyTypes.map((t) => join(keyDir(ctx), `ssh_host_${t}_key`));
  return {
    name: o.name,
    product: o.product,
    get version() {
      return binaryVersion([PYTHON, "-c", o.versionCode], /^([\d.]+)/, o.fallbackVersion);
    },
    bannerStripped: false,
    ip: o.ip,
    hostname: `${o.name}.${LAB_DOMAIN}`,
    endpoints: [{ port: 22, protocol: "ssh" }],
    aptInstall: [o.debPackage],
    async prepare(ctx) {
      await ensureDir(ctx.paths.dir(o.name), 0o755);
      await ensureKeys(keyDir(ctx), o.keyTypes, o.keyFormat);
    },
    commands(ctx) {
      // a plain .py in the source tree, so it runs the same from lab/ and from dist/
      const script = join(ctx.paths.repo, "lab", "servers", o.script);
      return [
        { argv: [PYTHON, script, o.ip, "22", ...keyFiles(ctx)], env: { PYTHONUNBUFFERED: "1" }, cwd: "/" },
      ];
    },
  };
}

/** AsyncSSH 2.10.1 (Debian python3-asyncssh) on 127.77.3.5:22: Ed25519 and ECDSA P-256 keys. */
export const asyncsshServer = scriptSshServer({
  name: "asyncssh",
  product: "AsyncSSH",
  ip: "127.77.3.5",
  script: "asyncssh-server.py",
  debPackage: "python3-asyncssh",
  versionCode: "import asyncssh; print(asyncssh.__version__)",
  fallbackVersion: "2.10.1",
  keyTypes: ["ed25519", "ecdsa", "rsa"],
});

/** Paramiko 2.12.0 (Debian python3-paramiko) on 127.77.3.6:22: keys in PEM, which Paramiko 2.x reads. */
export const paramikoServer = scriptSshServer({
  name: "paramiko",
  product: "Paramiko",
  ip: "127.77.3.6",
  script: "paramiko-server.py",
  debPackage: "python3-paramiko",
  versionCode: "import paramiko; print(paramiko.__version__)",
  fallbackVersion: "2.12.0",
  keyTypes: ["ed25519", "ecdsa", "rsa"],
  keyFormat: "PEM",
});

/**
 * TinySSH 20230101 (Debian tinysshd) on 127.77.3.4:22. tinysshd serves one connection on stdin and
 * stdout: ucspi-tcp's `tcpserver` (installed with apt) listens for it, as its documentation shows.
 * Its keys (Ed25519, and the NIST P-256 key it still makes) come from `tinysshd-makekey` into its
 * own directory; with no authorized_keys anywhere nobody gets in.
 */
const TINYSSH_IP = "127.77.3.4";
export const tinysshServer: LabServer = {
  name: "tinyssh",
  product: "TinySSH",
  get version() {
    return binaryVersion(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
      ["/usr/bin/dpkg-query", "-W", "-f=${Version}", "tinysshd"],
      /^(?:\d+:)?(\d+)/,
      "20230101",
    );
  },
  bannerStripped: false,
  ip: TINYSSH_IP,
  hostname: `tinyssh.${LAB_DOMAIN}`,
  endpoints: [{ port: 22, protocol: "ssh" }],
  aptInstall: ["tinysshd", "ucspi-tcp"],
  async prepare(ctx) {
    const dir = ctx.paths.dir("tinyssh");
    await ensureDir(dir, 0o755);
    const keys = join(dir, "keys");
    if (!existsSync(join(keys, "ed25519.pk"))) {
      await rm(keys, { recursive: true, force: true });
      await run(["/usr/sbin/tinysshd-makekey", keys]);
    }
  },
  commands(ctx) {
    const keys = join(ctx.paths.dir("tinyssh"), "keys");
    // -R no ident lookup, -H no reverse DNS, -l 0 no local name lookup; tinysshd -l logs to stderr
    return [
      {
        argv: [
          "/usr/bin/tcpserver",
          "-R",
          "-H",
          "-l",
          "0",
          TINYSSH_IP,
          "22",
          "/usr/sbin/tinysshd",
          "-v",
          keys,
        ],
      },
    ];
  },
};
