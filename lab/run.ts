/** Runs a short helper command (apt-get, openssl, useradd…) to completion and reports failures with their output. */
import { spawn } from "node:child_process";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** resolve with the exit code instead of throwing when the command fails */
  allowFailure?: boolean;
}

export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error("lab: empty command"));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", (err) => reject(new Error(`lab: cannot run ${file}: ${err.message}`)));
    child.on("close", (code, signal) => {
      const result = { code: code ?? 128, stdout, stderr };
      if (result.code === 0 || opts.allowFailure) return resolve(result);
      const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-3).join(" | ");
      reject(new Error(`lab: ${argv.join(" ")} failed (${signal ?? `exit ${code}`}): ${tail}`));
    });
  });
}

/** Another helper may run apt at the same time: every apt-get / dpkg call goes through this lock. */
export const APT_LOCK = "/tmp/smtpsurvey-apt.lock";

export function runApt(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(["flock", APT_LOCK, ...argv], {
    ...opts,
    env: { DEBIAN_FRONTEND: "noninteractive", ...opts.env },
  });
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}
