/**
 * One lab operation at a time across processes (a test run and a developer's `lab start` share
 * .lab-state): pids.json and manifest.json are read-modify-write. The lock is a directory (mkdir is
 * atomic) holding its owner's PID and start time, so a lock left by a killed process is taken over.
 */
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isSameProcess, readStat } from "./proc.js";
import type { LabPaths } from "./types.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ownerAlive(lockDir: string): boolean {
  try {
    const [pid, startTime] = readFileSync(join(lockDir, "owner"), "utf8").trim().split(" ").map(Number);
    return pid !== undefined && startTime !== undefined && isSameProcess(pid, startTime);
  } catch {
    // no owner file yet: its creator is between mkdir and writeFile, so treat it as alive
    return true;
  }
}

export async function withLabLock<T>(paths: LabPaths, what: string, action: () => Promise<T>): Promise<T> {
  const lockDir = join(paths.state, "lock");
  await mkdir(paths.state, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (!ownerAlive(lockDir)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`lab ${what}: another lab operation holds ${lockDir}`);
      if (!announced) process.stderr.write(`lab: waiting for another lab operation (${lockDir})\n`);
      announced = true;
      await sleep(250);
    }
  }
  try {
    await writeFile(join(lockDir, "owner"), `${process.pid} ${readStat(process.pid)?.startTime ?? 0}\n`);
    return await action();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
