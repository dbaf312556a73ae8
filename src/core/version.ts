/**
 * smtpsurvey's version, read once from package.json: `--version` and run.json's tool.version
 * print the same string, and a release changes it in one place.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./paths.js";

function readVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8"));
  const version = (manifest as { version?: unknown }).version;
  if (typeof version !== "string") throw new Error("package.json has no version");
  return version;
}

export const TOOL_VERSION: string = readVersion();
