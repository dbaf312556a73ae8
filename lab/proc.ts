/**
 * Processes by PID only: identity is (pid, start time from /proc/PID/stat field 22), so a PID that
 * was reused by an unrelated process is never signalled. Never by name.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  session: number;
  /** clock ticks since boot: with the pid, identifies one process for its lifetime */
  startTime: number;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // comm (field 2) is in parentheses and may itself contain spaces or ')': split after the last ')'
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const at = (field: number): string => fields[field - 3] ?? "";
  return {
    pid,
    state: at(3),
    ppid: Number(at(4)),
    session: Number(at(6)),
    startTime: Number(at(22)),
  };
}

/** Alive and still the process we started (a zombie counts as gone: it only waits to be reaped). */
export function isSameProcess(pid: number, startTime: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== "Z";
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

export interface RecordedProcess {
  pid: number;
  startTime: number;
}

/**
 * The recorded processes that are still ours, their descendants (by parent PID), and members of
 * their sessions (we start each under setsid, so an orphan that was reparented to init is still
 * found through its session id; Linux never reuses a PID while a session still carries it).
 */
export function collectTree(roots: RecordedProcess[]): ProcStat[] {
  const procs = allProcesses();
  const found = new Map<number, ProcStat>();
  for (const root of roots) {
    const self = procs.find((p) => p.pid === root.pid);
    if (self && self.startTime === root.startTime) found.set(self.pid, self);
    for (const p of procs) {
      if (p.session === root.pid && p.startTime >= root.startTime) found.set(p.pid, p);
    }
  }
  const children = new Map<number, ProcStat[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const queue = [...found.values()];
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const child of children.get(next.pid) ?? []) {
      if (!found.has(child.pid)) {
        found.set(child.pid, child);
        queue.push(child);
      }
    }
  }
  return [...found.values()].filter((p) => p.state !== "Z");
}

function signal(p: ProcStat, sig: NodeJS.Signals): void {
  if (!isSameProcess(p.pid, p.startTime)) return;
  try {
    process.kill(p.pid, sig);
  } catch {
    // it exited between the check and the signal: nothing left to do
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM everything at once, wait up to graceMs, then SIGKILL what is left. Returns the survivors. */
export async function terminate(procs: ProcStat[], graceMs = 5000): Promise<ProcStat[]> {
  for (const p of procs) signal(p, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let alive = procs.filter((p) => isSameProcess(p.pid, p.startTime));
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = alive.filter((p) => isSameProcess(p.pid, p.startTime));
  }
  for (const p of alive) signal(p, "SIGKILL");
  await sleep(alive.length > 0 ? 200 : 0);
  return alive.filter((p) => isSameProcess(p.pid, p.startTime));
}
