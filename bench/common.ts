/** Small helpers shared by the benchmark scripts: arguments, targets, timed child processes. */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `--name value` pairs (and bare `--flag`s) into a map; nothing clever. */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) {
      args.set(arg.slice(2), "true");
    } else {
      args.set(arg.slice(2), next);
      i += 1;
    }
  }
  return args;
}

export function numberArg(args: Map<string, string>, name: string, fallback?: number): number {
  const text = args.get(name);
  if (text === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a number, not ${text}`);
  return value;
}

/** Every address of an IPv4 CIDR, as a lazy list (the benchmark only ever uses 127/8 ones). */
export function ipv4Range(cidr: string): { count: number; at(index: number): string } {
  const [base, bitsText] = cidr.split("/");
  const octets = (base ?? "").split(".").map(Number);
  const bits = Number(bitsText ?? "32");
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) || !(bits >= 8)) {
    throw new Error(`not an IPv4 CIDR of /8 or longer: ${cidr}`);
  }
  const [a, b, c, d] = octets as [number, number, number, number];
  const count = 2 ** (32 - bits);
  const raw = a * 2 ** 24 + b * 2 ** 16 + c * 2 ** 8 + d;
  const start = raw - (raw % count);
  if (a !== 127) throw new Error(`the benchmark only targets 127.0.0.0/8, not ${cidr}`);
  return {
    count,
    at(index: number): string {
      const n = (start + index) >>> 0;
      return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    },
  };
}

/** Refuses any address outside 127.0.0.0/8 and ::1: the benchmark never sends traffic elsewhere. */
export function assertLoopback(ip: string): void {
  if (ip === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip)) return;
  throw new Error(`refusing a non-loopback benchmark target: ${ip}`);
}

export interface TimedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** wall time measured here, around the child */
  wallSeconds: number;
  /** from /usr/bin/time -v */
  maxRssKb: number | null;
  cpuSeconds: number | null;
}

/**
 * Runs a command under `/usr/bin/time -v` (its report goes to a file, not stderr), with a hard
 * time limit; a child still running at the limit is killed by its own PID.
 */
/** `env`: added to this process's environment for the command */
export function timed(
  command: string,
  args: readonly string[],
  limitMs: number,
  env?: Record<string, string>,
): Promise<TimedRun> {
  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-bench-"));
  const report = join(dir, "time.txt");
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-v", "-o", report, command, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    const killer = setTimeout(() => {
      stderr += `\n[bench] killed after ${limitMs} ms\n`;
      if (child.pid) process.kill(child.pid, "SIGKILL");
    }, limitMs);
    child.on("error", (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(killer);
      const wallSeconds = (performance.now() - started) / 1000;
      let text = "";
      try {
        text = readFileSync(report, "utf8");
      } catch {
        // killed before time wrote its report
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code,
        stdout,
        stderr,
        wallSeconds,
        maxRssKb: matchNumber(text, /Maximum resident set size \(kbytes\): (\d+)/),
        cpuSeconds: sumOrNull(
          matchNumber(text, /User time \(seconds\): ([\d.]+)/),
          matchNumber(text, /System time \(seconds\): ([\d.]+)/),
        ),
      });
    });
  });
}

function matchNumber(text: string, pattern: RegExp): number | null {
  const m = pattern.exec(text);
  return m?.[1] ? Number(m[1]) : null;
}

function sumOrNull(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/** What every measuring child prints as its last stdout line. */
export interface LoopResult {
  sessions: number;
  ok: number;
  seconds: number;
  peakInFlight: number;
  byStatus: Record<string, number>;
  /** sessions per target IP (lab runs: per server) */
  byIp?: Record<string, number>;
  okByIp?: Record<string, number>;
  /** mean session duration per target IP, ms */
  msByIp?: Record<string, number>;
  /** timed runs (--seconds): the sessions that ended within the window, and its length */
  windowSeconds?: number;
  windowSessions?: number;
  windowOk?: number;
  maxRssKb: number;
  /** the JS heap's high-water mark, sampled every 100 ms */
  peakHeapKb?: number;
}

/** Counts sessions as they end: by status, by IP (when asked), and within a time window. */
export class Tally {
  readonly started = performance.now();
  private lastEnd = this.started;
  private sessions = 0;
  private windowSessions = 0;
  private windowOk = 0;
  private readonly byStatus: Record<string, number> = {};
  private readonly byIp: Record<string, number> = {};
  private readonly okByIp: Record<string, number> = {};
  private readonly msByIp: Record<string, number> = {};

  /** windowEnd: the performance.now() instant after which no new session starts (or Infinity) */
  constructor(
    private readonly windowEnd: number,
    private readonly perIp: boolean,
  ) {}

  add(ip: string, status: string, durationMs: number): void {
    const now = performance.now();
    this.lastEnd = now;
    this.sessions += 1;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (now <= this.windowEnd) {
      this.windowSessions += 1;
      if (status === "ok") this.windowOk += 1;
    }
    if (this.perIp) {
      this.byIp[ip] = (this.byIp[ip] ?? 0) + 1;
      if (status === "ok") this.okByIp[ip] = (this.okByIp[ip] ?? 0) + 1;
      this.msByIp[ip] = (this.msByIp[ip] ?? 0) + durationMs;
    }
  }

  result(peakInFlight: number, peakHeapKb: number): LoopResult {
    const timed = Number.isFinite(this.windowEnd);
    const meanMs: Record<string, number> = {};
    for (const [ip, total] of Object.entries(this.msByIp)) meanMs[ip] = total / (this.byIp[ip] ?? 1);
    return {
      sessions: this.sessions,
      ok: this.byStatus.ok ?? 0,
      seconds: (this.lastEnd - this.started) / 1000,
      peakInFlight,
      byStatus: this.byStatus,
      ...(this.perIp ? { byIp: this.byIp, okByIp: this.okByIp, msByIp: meanMs } : {}),
      ...(timed
        ? {
            windowSeconds: (this.windowEnd - this.started) / 1000,
            windowSessions: this.windowSessions,
            windowOk: this.windowOk,
          }
        : {}),
      maxRssKb: process.resourceUsage().maxRSS,
      peakHeapKb,
    };
  }
}

/** Samples heapUsed every 100 ms; returns a function that stops and gives the peak in KB. */
export function sampleHeap(): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 100);
  timer.unref();
  return () => {
    clearInterval(timer);
    return Math.round(Math.max(peak, process.memoryUsage().heapUsed) / 1024);
  };
}

export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split("\n");
  const last = lines[lines.length - 1];
  if (!last) throw new Error("the child printed no result");
  return JSON.parse(last) as T;
}

/** One tool's measurement, as the report shows it. */
export interface RunFigure {
  tool: string;
  /** what was measured, for the details table */
  what: string;
  sessions: number;
  ok: number;
  wallSeconds: number;
  perSecond: number;
  maxRssKb: number | null;
  cpuSeconds: number | null;
  peakInFlight: number | null;
  peakHeapKb: number | null;
  byStatus: Record<string, number>;
  /** sessions/s of every repetition, when the run was repeated (the figure is the best one) */
  samples?: number[];
  note?: string;
}

/**
 * Runs each measurement `repeat` times, interleaved (a, b, c, a, b, c…), and keeps each one's
 * best sessions/s: on a shared machine other work only ever slows a run down. Peak RSS is the
 * highest of all repetitions.
 */
export async function bestOf<F extends RunFigure>(
  repeat: number,
  measurements: ReadonlyArray<() => Promise<F>>,
  between: () => Promise<void>,
): Promise<F[]> {
  const best: Array<F | undefined> = measurements.map(() => undefined);
  const samples: number[][] = measurements.map(() => []);
  const rss: number[] = measurements.map(() => 0);
  for (let r = 0; r < repeat; r++) {
    for (const [i, measure] of measurements.entries()) {
      const figure = await measure();
      samples[i]?.push(figure.perSecond);
      rss[i] = Math.max(rss[i] ?? 0, figure.maxRssKb ?? 0);
      const current = best[i];
      if (!current || figure.perSecond > current.perSecond) best[i] = figure;
      await between();
    }
  }
  return best.map((figure, i) => ({
    ...(figure as F),
    maxRssKb: rss[i] || null,
    ...(repeat > 1 ? { samples: samples[i] } : {}),
  }));
}

export const MB = (kb: number | null): string => (kb === null ? "?" : `${(kb / 1024).toFixed(0)} MB`);

/** Peak heapUsed in MB since the call (sampleHeap, in the unit the phase benches print). */
export function sampleHeapMb(): () => number {
  const stop = sampleHeap();
  return () => stop() / 1024;
}

/**
 * Runs one phase of a bench in a child process of the same script (`--phase P --records N …`)
 * so its timing and peak RSS are its own; the child prints its result as its last JSON line.
 */
export async function runPhaseChild<T>(
  script: string,
  phase: string,
  records: number,
  extra: string[] = [],
): Promise<T & { run: TimedRun }> {
  const run = await timed(
    process.execPath,
    [script, "--phase", phase, "--records", String(records), ...extra],
    30 * 60_000,
  );
  if (run.code !== 0) throw new Error(`phase ${phase} failed (${run.code}):\n${run.stderr}`);
  return { ...lastJsonLine<T>(run.stdout), run };
}
