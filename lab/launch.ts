/**
 * Starts one daemon command the lab's way: in its own session (setsid, so stop can find every
 * process it forks) and its own mount namespace where the lab's hosts file and resolv.conf are
 * bind-mounted over /etc/hosts and /etc/resolv.conf (the machine's own files are never touched).
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { readStat } from "./proc.js";
import type { PidEntry } from "./state.js";
import type { LabCommand, LabPaths } from "./types.js";

const NAMESPACE_SCRIPT =
  'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"';

/**
 * setsid → unshare → sh → the daemon, each exec'ing the next, so the PID we record is the daemon's.
 * (setsid forks only when its caller leads a process group, and a child of node never does.)
 */
export function wrapInLabNamespace(paths: LabPaths, argv: string[]): string[] {
  return [
    "setsid",
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "sh",
    "-c",
    NAMESPACE_SCRIPT,
    "lab-namespace",
    paths.hostsFile,
    paths.resolvConf,
    ...argv,
  ];
}

/** A small, predictable environment: daemons see only this plus what their LabCommand sets. */
function daemonEnv(home: string, extra: Record<string, string> | undefined): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    TZ: "UTC",
    ...extra,
  };
}

export function launch(
  paths: LabPaths,
  server: string,
  command: LabCommand,
  log: string,
  cwd: string,
): PidEntry {
  const argv = wrapInLabNamespace(paths, command.argv);
  const [file, ...args] = argv;
  if (!file || command.argv.length === 0) throw new Error(`lab: ${server} has an empty command`);
  mkdirSync(dirname(log), { recursive: true });
  const out = openSync(log, "a");
  try {
    // logs are appended across starts: mark where this one begins
    writeSync(out, `--- smtpsurvey lab: ${new Date().toISOString()} starting ${command.argv.join(" ")}\n`);
    const child = spawn(file, args, {
      cwd: command.cwd ?? cwd,
      env: daemonEnv(cwd, command.env),
      stdio: ["ignore", out, out],
    });
    // a failed exec surfaces here asynchronously; the start-up wait then reports the dead PID
    child.on("error", () => {});
    child.unref();
    const pid = child.pid;
    const stat = pid === undefined ? undefined : readStat(pid);
    if (pid === undefined || !stat) throw new Error(`lab: ${server}: could not start ${command.argv[0]}`);
    return { server, pid, startTime: stat.startTime, argv: command.argv, log };
  } finally {
    closeSync(out);
  }
}
