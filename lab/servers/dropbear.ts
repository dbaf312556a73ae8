/**
 * Dropbear 2022.83 from Debian's dropbear-bin, unpacked (the `dropbear` package would add an init
 * script), on 127.77.3.3:22 with two host keys: an Ed25519 key of its own and, as its RSA key,
 * the cross-protocol key (lab/shared-keys.ts) that is also the key of Dovecot's TLS certificate.
 * Nobody can log in: passwords are off and there are no authorized keys.
 */
import { existsSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { LAB_DOMAIN } from "../dns.js";
import { run } from "../run.js";
import { type CrossProtocolKeyPair, crossProtocolKeyPair, crossProtocolPaths } from "../shared-keys.js";
import type { LabContext, LabServer } from "../types.js";
import { debUpstreamVersion } from "../versions.js";
import { ensureDir } from "./owned-files.js";

const NAME = "dropbear";
const IP = "127.77.3.3";
const DEB = "dropbear-bin";
/** Debian 12's version, shown until `lab install` has unpacked the real one */
const FALLBACK_VERSION = "2022.83";

function files(ctx: LabContext) {
  const dir = ctx.paths.dir(NAME);
  const pkg = ctx.paths.pkg(DEB);
  return {
    dir,
    ed25519Key: join(dir, "dropbear_ed25519_host_key"),
    rsaKey: crossProtocolPaths(ctx.paths).dropbearKeyFile,
    pidFile: join(dir, "dropbear.pid"),
    dropbear: join(pkg, "usr/sbin/dropbear"),
    dropbearkey: join(pkg, "usr/bin/dropbearkey"),
    dropbearconvert: join(pkg, "usr/bin/dropbearconvert"),
  };
}

/** Dropbear reads OpenSSH's classic PEM (PKCS#1), not the PKCS#8 the shared key is stored in. */
async function convertCrossProtocolKey(pair: CrossProtocolKeyPair, dropbearconvert: string): Promise<void> {
  if (existsSync(pair.dropbearKeyFile)) return;
  const pkcs1 = `${pair.dropbearKeyFile}.pkcs1.pem`;
  const tmp = `${pair.dropbearKeyFile}.tmp`;
  try {
    await run(["openssl", "pkey", "-in", pair.keyFile, "-traditional", "-out", pkcs1]);
    await run([dropbearconvert, "openssh", "dropbear", pkcs1, tmp]);
    await rename(tmp, pair.dropbearKeyFile);
  } finally {
    await rm(pkcs1, { force: true });
    await rm(tmp, { force: true });
  }
}

async function ensureEd25519Key(file: string, dropbearkey: string): Promise<void> {
  if (existsSync(file)) return;
  const tmp = `${file}.tmp`;
  await rm(tmp, { force: true });
  await run([dropbearkey, "-t", "ed25519", "-f", tmp]);
  await rename(tmp, file);
}

export const dropbearServer: LabServer = {
  name: NAME,
  product: "Dropbear",
  get version() {
    return debUpstreamVersion(DEB, FALLBACK_VERSION);
  },
  bannerStripped: false,
  ip: IP,
  hostname: `${NAME}.${LAB_DOMAIN}`,
  endpoints: [{ port: 22, protocol: "ssh" }],
  unpack: [DEB],
  // dropbear-bin's Depends: libtomcrypt1 and libtommath1 are the ones a bare Debian 12 lacks
  aptInstall: ["libtomcrypt1", "libtommath1", "zlib1g", "libcrypt1"],
  async prepare(ctx) {
    const f = files(ctx);
    await ensureDir(f.dir, 0o755);
    await ensureEd25519Key(f.ed25519Key, f.dropbearkey);
    await convertCrossProtocolKey(await crossProtocolKeyPair(ctx), f.dropbearconvert);
  },
  commands(ctx) {
    const f = files(ctx);
    // -F foreground, -E log to stderr, -s no password logins, -w no root logins, -j/-k no port
    // forwarding; -r once per host key
    const flags = ["-F", "-E", "-s", "-w", "-j", "-k", "-p", `${IP}:22`, "-P", f.pidFile];
    return [{ argv: [f.dropbear, ...flags, "-r", f.ed25519Key, "-r", f.rsaKey] }];
  },
};
