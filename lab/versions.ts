/** Real product versions, read from what `lab install` put on disk (the ground truth tests compare against). */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { labPaths, npmPackageDir } from "./paths.js";

/** Written by the installer next to an unpacked tree: the .deb's Version field, e.g. "3.7.11-0+deb12u1". */
export const DEB_VERSION_FILE = ".deb-version";

export function debVersionFile(debPackage: string): string {
  return join(labPaths().pkg(debPackage), DEB_VERSION_FILE);
}

/** "1:3.7.11-0+deb12u1" → "3.7.11": drops the epoch and the Debian revision. */
export function upstreamVersion(debianVersion: string): string {
  const withoutEpoch = debianVersion.replace(/^\d+:/, "");
  const dash = withoutEpoch.lastIndexOf("-");
  return dash > 0 ? withoutEpoch.slice(0, dash) : withoutEpoch;
}

/** The upstream version of an unpacked package, or `fallback` before `lab install` ran. */
export function debUpstreamVersion(debPackage: string, fallback: string): string {
  const file = debVersionFile(debPackage);
  if (!existsSync(file)) return fallback;
  return upstreamVersion(readFileSync(file, "utf8").trim());
}

/** The version in an npm package's package.json inside the lab prefix, or `fallback` before install. */
export function npmVersion(npmSpec: string, fallback: string): string {
  const file = join(npmPackageDir(labPaths(), npmSpec), "package.json");
  if (!existsSync(file)) return fallback;
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (parsed && typeof parsed === "object" && "version" in parsed && typeof parsed.version === "string") {
    return parsed.version;
  }
  return fallback;
}

const binaryVersions = new Map<string, string>();

/** The upstream version of an apt-installed Debian package (dpkg-query), or `fallback`. */
export function installedDebVersion(debPackage: string, fallback: string): string {
  return binaryVersion(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
    ["/usr/bin/dpkg-query", "-W", "-f=${Version}", debPackage],
    /^(?:\d+:)?([\d.]+)/,
    fallback,
  );
}

/**
 * The version a Debian-installed daemon reports about itself (`dovecot --version`, `nginx -v`),
 * or `fallback` before `lab install` ran. Asking the binary avoids dpkg, which another helper's
 * apt run may hold locked. Cached: the binary does not change under a running lab.
 */
export function binaryVersion(argv: string[], pattern: RegExp, fallback: string): string {
  const key = argv.join("\0");
  const known = binaryVersions.get(key);
  if (known) return known;
  const [file, ...args] = argv;
  if (!file || !existsSync(file)) return fallback;
  // nginx prints its version on stderr, dovecot on stdout
  const result = spawnSync(file, args, { encoding: "utf8", timeout: 5000 });
  const version = pattern.exec(`${result.stdout ?? ""}${result.stderr ?? ""}`)?.[1];
  if (!version) return fallback;
  binaryVersions.set(key, version);
  return version;
}
