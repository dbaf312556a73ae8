/** Where the lab keeps its files: found from this module's location, so it works from lab/ and dist/lab/. */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LabPaths } from "./types.js";

/** Walks up from this file to the package.json named smtpsurvey (the code also runs compiled from dist/). */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && readPackageName(manifest) === "smtpsurvey") return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`lab: no smtpsurvey package.json above ${start}`);
    dir = parent;
  }
}

function readPackageName(file: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (parsed && typeof parsed === "object" && "name" in parsed && typeof parsed.name === "string") {
      return parsed.name;
    }
  } catch {
    // an unreadable package.json is just not ours: keep walking up
  }
  return undefined;
}

let cached: LabPaths | undefined;

export function labPaths(): LabPaths {
  if (cached) return cached;
  const repo = findRepoRoot();
  const state = process.env.SMTPSURVEY_LAB_DIR || defaultStateDir(repo);
  cached = {
    repo,
    state,
    pkg: (debPackage) => join(state, "pkgs", debPackage),
    dir: (serverName) => join(state, "servers", serverName),
    hostsFile: join(state, "dns", "hosts"),
    resolvConf: join(state, "dns", "resolv.conf"),
  };
  return cached;
}

/**
 * `<repo>/.lab-state`, when the daemons can reach it. Postfix, Exim, qpsmtpd and others drop root
 * and must traverse every directory above their spool: a checkout under /root or a `mktemp -d`
 * (mode 0700) would lock them out. Then the state lives in /var/lib/smtpsurvey-lab/<hash of the
 * checkout's path> instead, one per checkout.
 */
function defaultStateDir(repo: string): string {
  if (traversableByAll(repo)) return join(repo, ".lab-state");
  const id = createHash("sha256").update(repo).digest("hex").slice(0, 12);
  return join("/var/lib/smtpsurvey-lab", id);
}

/** true when every directory from / down to `dir` lets other users through (o+x). */
function traversableByAll(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(d) === d) return true;
  }
}

/** npm packages live in .lab-state/npm/<package name without version>, never in the repo's node_modules. */
export function npmPrefix(paths: LabPaths, npmSpec: string): string {
  return join(paths.state, "npm", npmPackageName(npmSpec));
}

/** "Haraka@3.3" → "Haraka", "@scope/pkg@1" → "@scope/pkg" */
export function npmPackageName(npmSpec: string): string {
  const at = npmSpec.lastIndexOf("@");
  return at > 0 ? npmSpec.slice(0, at) : npmSpec;
}

/** The entry of an npm package's own package.json inside its lab prefix. */
export function npmPackageDir(paths: LabPaths, npmSpec: string): string {
  return join(npmPrefix(paths, npmSpec), "node_modules", npmPackageName(npmSpec));
}

export const certsDir = (paths: LabPaths): string => join(paths.state, "certs");
export const pidsFile = (paths: LabPaths): string => join(paths.state, "pids.json");
export const manifestFile = (paths: LabPaths): string => join(paths.state, "manifest.json");
