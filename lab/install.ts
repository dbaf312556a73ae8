/**
 * `lab install`: the Debian packages, unpacked MTA trees, npm packages and system users the lab's
 * servers need. Idempotent: a second run only checks what is already there.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { npmPackageDir, npmPrefix } from "./paths.js";
import { run, runApt } from "./run.js";
import type { LabPaths, LabServer } from "./types.js";
import { DEB_VERSION_FILE } from "./versions.js";

/** What the lab core itself runs: dnsmasq (lab DNS), openssl (certificates), unshare/setsid. */
export const CORE_APT_PACKAGES = ["dnsmasq-base", "openssl", "util-linux"];

export interface InstallFailure {
  what: string;
  reason: string;
}

const say = (line: string) => process.stderr.write(`lab: ${line}\n`);

export async function installFor(paths: LabPaths, servers: LabServer[]): Promise<InstallFailure[]> {
  const failures: InstallFailure[] = [];
  const aptPackages = unique([...CORE_APT_PACKAGES, ...servers.flatMap((s) => s.aptInstall ?? [])]);
  const debs = unique(servers.flatMap((s) => s.unpack ?? []));
  const npmSpecs = unique(servers.flatMap((s) => s.npm ?? []));
  const users = unique(servers.flatMap((s) => s.users ?? []));

  // apt work is serialized by the lock anyway; npm goes in parallel with it
  const debianPart = async () => {
    await aptInstall(aptPackages).catch((err: Error) =>
      failures.push({ what: "apt-get install", reason: err.message }),
    );
    for (const deb of debs) {
      await unpackDeb(paths, deb).catch((err: Error) => failures.push({ what: deb, reason: err.message }));
    }
  };
  const npmPart = async () => {
    for (const spec of npmSpecs) {
      await npmInstall(paths, spec).catch((err: Error) => failures.push({ what: spec, reason: err.message }));
    }
  };
  await Promise.all([debianPart(), npmPart()]);
  for (const user of users) {
    await ensureSystemUser(user).catch((err: Error) =>
      failures.push({ what: `user ${user}`, reason: err.message }),
    );
  }
  return failures;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** One dpkg-query for all of them (under the apt lock: the other helper's apt may be mid-install). */
async function notInstalled(packages: string[]): Promise<string[]> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: this is dpkg-query's own ${field} syntax
  const format = "-f=${Package}\t${Status}\n";
  const { stdout } = await runApt(["dpkg-query", "-W", format, ...packages], { allowFailure: true });
  const installed = new Set(
    stdout
      .split("\n")
      .filter((line) => line.endsWith("install ok installed"))
      .map((line) => line.split("\t")[0]),
  );
  return packages.filter((pkg) => !installed.has(pkg));
}

const APT_LISTS = "/var/lib/apt/lists";
const LISTS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** apt-get update only when the package lists are missing or older than a week. */
async function refreshAptListsIfStale(): Promise<void> {
  const lists = existsSync(APT_LISTS) ? readdirSync(APT_LISTS).filter((f) => f.includes("_Packages")) : [];
  const newest = Math.max(0, ...lists.map((f) => statSync(join(APT_LISTS, f)).mtimeMs));
  if (lists.length > 0 && Date.now() - newest < LISTS_MAX_AGE_MS) return;
  say("apt-get update (package lists are missing or old)");
  await runApt(["apt-get", "update"]);
}

/**
 * Maintainer scripts must not start daemons on 0.0.0.0: a policy-rc.d that exits 101 is put in place
 * for the duration of the install (inside the apt lock) if none exists, and removed afterwards.
 */
const GUARDED_APT_INSTALL = `
created=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && created=1
fi
apt-get install -y --no-install-recommends "$@"; rc=$?
if [ -n "$created" ]; then rm -f /usr/sbin/policy-rc.d; fi
exit $rc
`;

async function aptInstall(packages: string[]): Promise<void> {
  const missing = await notInstalled(packages);
  if (missing.length === 0) return;
  await refreshAptListsIfStale();
  say(`apt-get install ${missing.join(" ")}`);
  await runApt(["sh", "-c", GUARDED_APT_INSTALL, "lab-apt-install", ...missing]);
}

/** MTAs conflict as packages: each is downloaded and unpacked into its own tree instead. */
async function unpackDeb(paths: LabPaths, deb: string): Promise<void> {
  const target = paths.pkg(deb);
  if (existsSync(join(target, DEB_VERSION_FILE))) return;
  await refreshAptListsIfStale();
  const downloads = join(paths.state, "debs", deb);
  await rm(downloads, { recursive: true, force: true });
  await mkdir(downloads, { recursive: true });
  say(`apt-get download ${deb} → ${target}`);
  await runApt(["apt-get", "download", deb], { cwd: downloads });
  const file = readdirSync(downloads).find((f) => f.endsWith(".deb"));
  if (!file) throw new Error(`apt-get download ${deb} produced no .deb`);
  const debFile = join(downloads, file);
  const version = (await runApt(["dpkg-deb", "-f", debFile, "Version"])).stdout.trim();
  // a half-unpacked tree from an interrupted run is replaced; the version file, written last, marks success
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await runApt(["dpkg", "-x", debFile, target]);
  await writeFile(join(target, DEB_VERSION_FILE), `${version}\n`);
  await rm(downloads, { recursive: true, force: true });
}

async function npmInstall(paths: LabPaths, spec: string): Promise<void> {
  if (existsSync(join(npmPackageDir(paths, spec), "package.json"))) return;
  const prefix = npmPrefix(paths, spec);
  await mkdir(prefix, { recursive: true });
  say(`npm install ${spec} → ${prefix}`);
  await run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "--omit=dev", spec]);
}

async function ensureSystemUser(user: string): Promise<void> {
  if ((await run(["getent", "passwd", user], { allowFailure: true })).code === 0) return;
  // a group of that name may already exist (e.g. left by a removed package): join it instead of failing
  const groupExists = (await run(["getent", "group", user], { allowFailure: true })).code === 0;
  say(`useradd --system ${user}`);
  await run([
    "useradd",
    "--system",
    "--no-create-home",
    "--home-dir",
    "/nonexistent",
    "--shell",
    "/usr/sbin/nologin",
    ...(groupExists ? ["--gid", user] : ["--user-group"]),
    user,
  ]);
}
