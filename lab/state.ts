/** The lab's two records on disk: pids.json (what to stop) and manifest.json (what is up, for tests and tools). */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { manifestFile, pidsFile } from "./paths.js";
import { isSameProcess } from "./proc.js";
import type { LabPaths } from "./types.js";

/** The name under which the lab's dnsmasq is recorded in pids.json. */
export const DNS_ENTRY = "dns";

export interface PidEntry {
  /** the LabServer's name, or "dns" for the lab's dnsmasq */
  server: string;
  pid: number;
  /** field 22 of /proc/PID/stat when it was started */
  startTime: number;
  argv: string[];
  log: string;
  /**
   * The daemon's long-lived descendants once it was up (Postfix's master, Haraka's worker…), by PID and
   * start time: found and stopped even if the recorded process died and left them orphaned.
   */
  descendants?: Array<{ pid: number; startTime: number }>;
}

export interface ManifestServer {
  name: string;
  product: string;
  version: string;
  banner_stripped: boolean;
  /** false when the server offers no STARTTLS on its plain SMTP ports (absent in older manifests: true) */
  starttls?: boolean;
  ip: string;
  hostname: string;
  endpoints: Array<{ port: number; protocol: string }>;
  pids: number[];
}

export interface LabManifest {
  started_at: string;
  dns: { ip: string; port: number };
  servers: ManifestServer[];
  skipped: Array<{ name: string; reason: string }>;
}

export function readPids(paths: LabPaths): PidEntry[] {
  const file = pidsFile(paths);
  if (!existsSync(file)) return [];
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  return Array.isArray(parsed) ? (parsed as PidEntry[]) : [];
}

export async function writePids(paths: LabPaths, entries: PidEntry[]): Promise<void> {
  if (entries.length === 0) {
    await rm(pidsFile(paths), { force: true });
    return;
  }
  await writeJsonAtomically(pidsFile(paths), entries);
}

export function readManifest(paths: LabPaths): LabManifest | undefined {
  const file = manifestFile(paths);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as LabManifest;
}

export async function writeManifest(paths: LabPaths, manifest: LabManifest | undefined): Promise<void> {
  if (!manifest) {
    await rm(manifestFile(paths), { force: true });
    return;
  }
  await writeJsonAtomically(manifestFile(paths), manifest);
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, file);
}

export const aliveEntries = (entries: PidEntry[]): PidEntry[] =>
  entries.filter((e) => isSameProcess(e.pid, e.startTime));

/** Running = it has recorded processes and every one of them is still the process we started. */
export function isRunning(entries: PidEntry[], name: string): boolean {
  const mine = entries.filter((e) => e.server === name);
  return mine.length > 0 && aliveEntries(mine).length === mine.length;
}

/** Every process identity an entry vouches for: itself and the descendants seen when it came up. */
export const recordedProcesses = (entries: PidEntry[]): Array<{ pid: number; startTime: number }> =>
  entries.flatMap((e) => [{ pid: e.pid, startTime: e.startTime }, ...(e.descendants ?? [])]);
