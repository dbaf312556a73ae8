/**
 * The loopback half of the benchmark. Runs INSIDE a private network namespace that has only
 * `lo` (run-bench.js starts it as `unshare --net node dist/bench/netns-run.js …`; the namespace
 * goes away with its last process). It brings `lo` up, starts the trivial banner server on
 * 0.0.0.0:25, which then answers on every 127.x address, and measures, on the same targets and
 * server, one after the other:
 *
 *   smtpsurvey grab (the CLI, output file and run state included)
 *   smtpsurvey's engine through runScan (no output file: the CLI's cost of writing, apart)
 *   the plain connect loop, banner + QUIT, at the same concurrency
 *   the plain connect loop with smtpsurvey's dialogue (banner, EHLO, HELP, QUIT)
 *   nmap -p 25 --script banner -n -Pn on a subset, scaled to per second
 *
 * for each scenario (a banner delay: 1 s to hold ~10,000 sessions in flight, 0 for raw
 * throughput). Prints one JSON line (NetnsReport) on stdout; progress on stderr.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  bestOf,
  ipv4Range,
  type LoopResult,
  lastJsonLine,
  numberArg,
  parseArgs,
  type RunFigure,
  timed,
} from "./common.js";

export interface Scenario {
  name: string;
  delayMs: number;
  cidr: string;
  concurrency: number;
  nmapCidr: string;
  runs: RunFigure[];
}

export interface NetnsReport {
  kernel: string;
  repeat: number;
  serverWorkers: number;
  nofile: string;
  scenarios: Scenario[];
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
const dist = (file: string) => join(repo, "dist", "bench", file);
const log = (text: string) => process.stderr.write(`[bench netns] ${text}\n`);

const args = parseArgs(process.argv.slice(2));
const cidr = args.get("cidr") ?? "127.1.0.0/17";
const concurrency = numberArg(args, "concurrency", 10_000);
const delays = (args.get("delays") ?? "1000,0").split(",").map(Number);
const nmapCidrs = (args.get("nmap") ?? "127.1.0.0/24,127.1.0.0/20").split(",");
const workers = numberArg(args, "workers", 1);
const limitMs = numberArg(args, "limit-seconds", 300) * 1000;
const repeat = Math.max(1, Math.floor(numberArg(args, "repeat", 3)));

checkPrivateNamespace();
execFileSync("ip", ["link", "set", "lo", "up"]);
const nofile = execFileSync("sh", ["-c", "ulimit -Sn; ulimit -Hn"], { encoding: "utf8" }).split("\n");
if (Number(nofile[0]) < concurrency + 1000) {
  log(`warning: ulimit -n is ${nofile[0]}, short of ${concurrency} sessions plus the process's own files`);
}
const range = ipv4Range(cidr);
const work = mkdtempSync(join(tmpdir(), "smtpsurvey-bench-netns-"));
const scenarios: Scenario[] = [];
try {
  for (const [i, delayMs] of delays.entries()) {
    const nmapCidr = nmapCidrs[i] ?? nmapCidrs[nmapCidrs.length - 1] ?? "127.1.0.0/24";
    scenarios.push(await scenario(delayMs, nmapCidr));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const report: NetnsReport = {
  kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
  repeat,
  serverWorkers: workers,
  nofile: `${nofile[0]} soft / ${nofile[1]} hard`,
  scenarios,
};
process.stdout.write(`${JSON.stringify(report)}\n`);

/** Refuses to run anywhere but in a namespace of our own: only `lo`, no other interface. */
function checkPrivateNamespace(): void {
  const links = execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.split(":")[1]?.trim().split("@")[0]);
  if (links.length !== 1 || links[0] !== "lo") {
    throw new Error(
      `netns-run must run in a private network namespace with only lo (found ${links.join(", ")}); ` +
        "start it through `npm run bench` (unshare --net)",
    );
  }
}

async function scenario(delayMs: number, nmapCidr: string): Promise<Scenario> {
  const name =
    delayMs > 0
      ? `${concurrency} in flight: banner held ${delayMs} ms, ${range.count} targets`
      : `throughput at -c ${concurrency}: no banner delay, ${range.count} targets`;
  log(name);
  const server = await startServer(delayMs);
  const runs: RunFigure[] = [];
  try {
    const measurements = [grabCli, engineOnly, () => connectLoop("banner"), () => connectLoop("dialogue")];
    runs.push(...(await bestOf(repeat, measurements, settle)));
    // nmap once: it is the slow one, and it only scans a subset.
    runs.push(await nmap(nmapCidr));
  } finally {
    await stopServer(server);
  }
  return { name, delayMs, cidr, concurrency, nmapCidr, runs };
}

/** A pause between runs, so that one run's closing connections do not land in the next. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2000));
}

async function startServer(delayMs: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      dist("banner-server.js"),
      "--port",
      "25",
      "--host",
      "0.0.0.0",
      "--delay-ms",
      String(delayMs),
      "--workers",
      String(workers),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the banner server did not start in 10 s")), 10_000);
    child.stdout?.setEncoding("utf8").on("data", (text: string) => {
      if (text.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the banner server exited (${code}) before it was ready`));
    });
  });
  log(`banner server pid ${child.pid} on 0.0.0.0:25, delay ${delayMs} ms, ${workers} worker(s)`);
  return child;
}

/** SIGTERM by PID, SIGKILL by PID after 5 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
  }, 5000);
  await exited;
  clearTimeout(timer);
}

async function grabCli(): Promise<RunFigure> {
  const out = join(work, "grab.jsonl");
  rmSync(out, { force: true });
  rmSync(`${out}.state.sqlite`, { force: true });
  const run = await timed(
    process.execPath,
    [
      join(repo, "bin", "smtpsurvey.js"),
      "grab",
      cidr,
      "-p",
      "25",
      "--scope",
      cidr,
      "-o",
      out,
      "-c",
      String(concurrency),
      "--per-ip",
      "1",
      "--per-ip-rate",
      "0",
      "--rate",
      "0",
      "--ehlo",
      "bench.invalid",
    ],
    limitMs,
  );
  const byStatus: Record<string, number> = {};
  let sessions = 0;
  if (existsSync(out)) {
    for (const line of readFileSync(out, "utf8").split("\n")) {
      if (!line) continue;
      const status = (JSON.parse(line) as { status: string }).status;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      sessions += 1;
    }
  }
  const peak = /peak (\d+) in flight/.exec(run.stderr);
  if (run.code !== 0) log(`grab exited ${run.code}: ${run.stderr.slice(-500)}`);
  return {
    tool: "smtpsurvey grab",
    what: `smtpsurvey grab ${cidr} -p 25 -c ${concurrency} --per-ip 1 --per-ip-rate 0 --rate 0 (JSONL + run state)`,
    sessions,
    ok: byStatus.ok ?? 0,
    wallSeconds: run.wallSeconds,
    perSecond: sessions / run.wallSeconds,
    maxRssKb: run.maxRssKb,
    cpuSeconds: run.cpuSeconds,
    peakInFlight: peak?.[1] ? Number(peak[1]) : null,
    peakHeapKb: null,
    byStatus,
  };
}

async function engineOnly(): Promise<RunFigure> {
  const run = await timed(
    process.execPath,
    [
      dist("engine-loop.js"),
      "--cidr",
      cidr,
      "--port",
      "25",
      "--scope",
      cidr,
      "--concurrency",
      String(concurrency),
    ],
    limitMs,
  );
  return loopFigure(run, "smtpsurvey runScan", `runScan over ${cidr}, -c ${concurrency}, no output file`);
}

async function connectLoop(mode: "banner" | "dialogue"): Promise<RunFigure> {
  const run = await timed(
    process.execPath,
    [
      dist("connect-loop.js"),
      "--cidr",
      cidr,
      "--port",
      "25",
      "--concurrency",
      String(concurrency),
      "--mode",
      mode,
    ],
    limitMs,
  );
  return mode === "banner"
    ? loopFigure(run, "connect loop (banner+QUIT)", `node:net loop: connect, banner, QUIT, close`)
    : loopFigure(run, "connect loop (EHLO+HELP)", `node:net loop: connect, banner, EHLO, HELP, QUIT, close`);
}

function loopFigure(run: Awaited<ReturnType<typeof timed>>, tool: string, what: string): RunFigure {
  if (run.code !== 0) throw new Error(`${tool} exited ${run.code}: ${run.stderr.slice(-1000)}`);
  const result = lastJsonLine<LoopResult>(run.stdout);
  return {
    tool,
    what,
    sessions: result.sessions,
    ok: result.ok,
    // The process's wall time, node's start-up included, as for the CLI.
    wallSeconds: run.wallSeconds,
    perSecond: result.sessions / run.wallSeconds,
    maxRssKb: run.maxRssKb,
    cpuSeconds: run.cpuSeconds,
    peakInFlight: result.peakInFlight,
    peakHeapKb: result.peakHeapKb ?? null,
    byStatus: result.byStatus,
  };
}

async function nmap(subset: string): Promise<RunFigure> {
  const command = ["-p", "25", "--script", "banner", "-n", "-Pn", subset];
  const which = (() => {
    try {
      return execFileSync("sh", ["-c", "command -v nmap"], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  })();
  const what = `nmap ${command.join(" ")} (a subset, scaled to per second)`;
  if (!which) {
    return {
      tool: "nmap --script banner",
      what,
      sessions: 0,
      ok: 0,
      wallSeconds: 0,
      perSecond: Number.NaN,
      maxRssKb: null,
      cpuSeconds: null,
      peakInFlight: null,
      peakHeapKb: null,
      byStatus: {},
      note: "nmap is not installed (flock /tmp/smtpsurvey-apt.lock apt-get install -y nmap)",
    };
  }
  const run = await timed(which, command, limitMs);
  const banners = (run.stdout.match(/\|_banner: 220 bench/g) ?? []).length;
  const hosts = ipv4Range(subset).count;
  return {
    tool: "nmap --script banner",
    what,
    sessions: hosts,
    ok: banners,
    wallSeconds: run.wallSeconds,
    perSecond: hosts / run.wallSeconds,
    maxRssKb: run.maxRssKb,
    cpuSeconds: run.cpuSeconds,
    peakInFlight: null,
    peakHeapKb: null,
    byStatus: { banner: banners, "no banner": hosts - banners },
  };
}
