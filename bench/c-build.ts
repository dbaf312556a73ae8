/**
 * Builds the benchmark's C programs (bench/c/NAME.c: the epoll client that is the baseline, and
 * the epoll server that is never the bottleneck) into dist/bench/NAME. gcc runs only when the
 * binary is missing or older than its source, so calling this before every run costs a stat.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** The binary's path, or null (after one line on stderr) when there is no gcc to build it. */
export function buildC(repoRoot: string, name: "smtp-client" | "smtp-server"): string | null {
  const source = join(repoRoot, "bench", "c", `${name}.c`);
  const binary = join(repoRoot, "dist", "bench", name);
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary;
  mkdirSync(dirname(binary), { recursive: true });
  try {
    execFileSync("gcc", ["-O2", "-Wall", "-o", binary, source], { stdio: ["ignore", "inherit", "inherit"] });
  } catch (error) {
    // Only a missing compiler is expected; a source that does not compile is a bug to see.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    process.stderr.write(`[bench] gcc is missing, so ${name} cannot be built: apt-get install gcc\n`);
    return null;
  }
  return binary;
}
