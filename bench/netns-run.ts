/**
 * The loopback half of the benchmark. Runs INSIDE a private network namespace that has only
 * `lo` (run-bench.js starts it as `unshare --net node dist/bench/netns-run.js …`; the namespace
 * goes away with its last process). It brings `lo` up, raises the namespace's own accept-queue
 * cap (net.core.somaxconn, 4096 by default, dropped SYNs at 5,000 in flight), starts the C
 * server (bench/c/smtp-server.c) on 0.0.0.0:25, which then answers on every 127.x address, and
 * measures each tool on the same targets and server, one after the other, in these scenarios:
 *
 *   replies at once, 1,000 in flight        CPU-bound: what a session costs
 *   every reply held 200 ms, 5,000 in flight the network slow: bounded by concurrency ÷ latency
 *   replies held 200 ms–2 s, 10,000 in flight randomised per connection (the latency test)
 *   5 % tarpits holding each reply 30 s, 10,000 in flight
 *   1,000,000 targets streamed through one grab (memory)
 *
 * The first two are the issue's table: 20,000 sessions each, smtpsurvey grab against the C
 * client (bench/c/smtp-client.c: banner, EHLO, QUIT; its `help` mode adds HELP as the grab
 * does). Sessions/s is measured over the scan window (first connect to last session end; from
 * the records for the grab, the loop's own clock for the clients), so start-up (node, modules,
 * worker threads) is reported apart and not folded into the rate; the wall-clock rate is given
 * too. Prints one JSON line (NetnsReport) on stdout; progress on stderr.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { buildC } from "./c-build.js";
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

export interface ScenarioFigure extends RunFigure {
  /** first connect to last session end */
  windowSeconds: number;
  /** sessions ÷ wall time of the whole process */
  wallPerSecond: number;
  /** the grab's records: mean session duration, ms */
  meanSessionMs?: number;
  /** the grab's records: when the last `ok` session ended, s after the first connect */
  lastOkSeconds?: number;
}

export interface Scenario {
  key: string;
  name: string;
  server: string[];
  sessions: number;
  concurrency: number;
  runs: ScenarioFigure[];
}

export interface NetnsReport {
  kernel: string;
  repeat: number;
  nofile: string;
  workers: string;
  scenarios: Scenario[];
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
const dist = (file: string) => join(repo, "dist", "bench", file);
const log = (text: string) => process.stderr.write(`[bench netns] ${text}\n`);

const args = parseArgs(process.argv.slice(2));
const sessions = numberArg(args, "sessions", 20_000);
const repeat = Math.max(1, Math.floor(numberArg(args, "repeat", 3)));
const only = args.get("only")?.split(",");
const workers = args.get("workers") ?? "";
const limitMs = numberArg(args, "limit-seconds", 600) * 1000;
const CIDR = "127.1.0.0/17";

checkPrivateNamespace();
execFileSync("ip", ["link", "set", "lo", "up"]);
execFileSync("sysctl", ["-qw", "net.core.somaxconn=65535"]);
const nofile = execFileSync("sh", ["-c", "ulimit -Sn; ulimit -Hn"], { encoding: "utf8" }).split("\n");
const serverBinary = buildC(repo, "smtp-server");
const clientBinary = buildC(repo, "smtp-client");
if (!serverBinary) throw new Error("the C server cannot be built (gcc): the benchmark needs it");
const work = mkdtempSync(join(tmpdir(), "smtpsurvey-bench-netns-"));
const range = ipv4Range(CIDR);
const targetsFile = join(work, "targets.txt");
writeFileSync(targetsFile, `${Array.from({ length: sessions }, (_, i) => range.at(i)).join("\n")}\n`);

interface Plan {
  key: string;
  /** what the server does (the name adds the concurrency and the sessions) */
  load: string;
  server: string[];
  concurrency: number;
  /** sessions each tool runs (the million: every address of its range) */
  sessions: number;
  repeat: number;
  /** each tool, run at the plan's concurrency */
  tools: Array<(concurrency: number) => Promise<ScenarioFigure>>;
}

const grabWorkers = workers ? ["-w", workers] : [];
const grabAll = (c: number) => grab("smtpsurvey grab", c, grabWorkers);
/** the peer in the same run: the grab on net.Socket instead of the bare TCP handle (raw-tcp.ts) */
const netSocketGrab = (c: number) =>
  grab("smtpsurvey grab, net.Socket", c, grabWorkers, undefined, { SMTPSURVEY_TRANSPORT: "net" });
const cWithHelp = (c: number) => cClient("C client, HELP too", c, "help");
/** the grab as it was before HELP and QUIT were pipelined (one round trip more per session) */
const sequentialGrab = (c: number) =>
  grab("smtpsurvey grab --no-pipelining", c, [...grabWorkers, "--no-pipelining"]);
const MILLION = "127.0.0.0/12";
const plans: Plan[] = [
  {
    key: "at-once",
    load: "replies at once",
    server: [],
    concurrency: 1000,
    sessions,
    repeat,
    tools: [
      grabAll,
      sequentialGrab,
      (c) => grab("smtpsurvey grab -w 1", c, ["-w", "1"]),
      netSocketGrab,
      (c) => cClient("C client", c, "ehlo"),
      cWithHelp,
      connectLoop,
    ],
  },
  {
    key: "held-200ms",
    load: "every reply held 200 ms",
    server: ["--delay-ms", "200"],
    concurrency: 5000,
    sessions,
    repeat,
    tools: [
      grabAll,
      sequentialGrab,
      netSocketGrab,
      (c) => cClient("C client", c, "ehlo"),
      cWithHelp,
      connectLoop,
    ],
  },
  {
    key: "latency",
    load: "replies held 200 ms to 2 s (drawn per connection)",
    server: ["--delay-ms", "200", "--delay-max-ms", "2000"],
    concurrency: 10_000,
    sessions,
    repeat: 1,
    tools: [grabAll, cWithHelp],
  },
  {
    key: "tarpit",
    load: "5 % tarpits (every reply held 30 s), the rest at once",
    server: ["--tarpit-share", "0.05", "--tarpit-ms", "30000"],
    concurrency: 10_000,
    sessions,
    repeat: 1,
    tools: [grabAll, cWithHelp],
  },
  {
    key: "million",
    load: `every address of ${MILLION} streamed through one grab, replies at once`,
    server: [],
    concurrency: 1000,
    sessions: ipv4Range(MILLION).count,
    repeat: 1,
    tools: [(c) => grab("smtpsurvey grab", c, grabWorkers, [MILLION])],
  },
];

const scenarios: Scenario[] = [];
try {
  for (const plan of plans) {
    if (only && !only.includes(plan.key)) continue;
    const name = `${plan.load}, ${count(plan.concurrency)} in flight, ${count(plan.sessions)} sessions`;
    log(name);
    const server = await startServer(plan.server);
    try {
      const tools = plan.tools.map((tool) => () => tool(plan.concurrency));
      const runs = await bestOf(plan.repeat, tools, settle);
      scenarios.push({
        key: plan.key,
        name,
        server: plan.server,
        sessions: plan.sessions,
        concurrency: plan.concurrency,
        runs,
      });
    } finally {
      await stopServer(server);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const report: NetnsReport = {
  kernel: execFileSync("uname", ["-r"], { encoding: "utf8" }).trim(),
  repeat,
  nofile: `${nofile[0]} soft / ${nofile[1]} hard`,
  workers: workers || "default (the number of CPU cores)",
  scenarios,
};
process.stdout.write(`${JSON.stringify(report)}\n`);

function count(n: number): string {
  return n.toLocaleString("en-US");
}

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

/** A pause between runs, so that one run's closing connections do not land in the next. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2000));
}

async function startServer(options: string[]): Promise<ChildProcess> {
  const child = spawn(serverBinary as string, ["--port", "25", "--host", "0.0.0.0", ...options], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the C server did not start in 10 s")), 10_000);
    child.stdout?.setEncoding("utf8").on("data", (text: string) => {
      if (text.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the C server exited (${code}) before it was ready`));
    });
  });
  log(`C server pid ${child.pid} on 0.0.0.0:25 ${options.join(" ")}`);
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

async function grab(
  tool: string,
  concurrency: number,
  extra: string[],
  targets?: string[],
  env?: Record<string, string>,
): Promise<ScenarioFigure> {
  const out = join(work, "grab.jsonl");
  for (const f of [out, `${out}.state.sqlite`, `${out}.state.sqlite-wal`, `${out}.state.sqlite-shm`])
    rmSync(f, { force: true });
  const given = targets ?? ["-i", targetsFile];
  const argv = [
    "grab",
    ...given,
    "-p",
    "25",
    "--scope",
    "127.0.0.0/8",
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
    "-q",
    ...extra,
  ];
  log(`${tool}: smtpsurvey ${argv.join(" ")}`);
  const run = await timed(process.execPath, [join(repo, "bin", "smtpsurvey.js"), ...argv], limitMs, env);
  if (run.code !== 0) log(`grab exited ${run.code}: ${run.stderr.slice(-500)}`);
  const seen = existsSync(out) ? await readGrab(out) : null;
  const count = seen?.sessions ?? 0;
  const window = seen ? (seen.lastEnd - seen.firstStart) / 1000 : run.wallSeconds;
  const figure: ScenarioFigure = {
    tool,
    what: `${
      env
        ? `${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")} `
        : ""
    }smtpsurvey ${argv.join(" ").replace(out, "OUT").replace(targetsFile, "TARGETS")}`,
    sessions: count,
    ok: seen?.byStatus.ok ?? 0,
    wallSeconds: run.wallSeconds,
    windowSeconds: window,
    perSecond: count / window,
    wallPerSecond: count / run.wallSeconds,
    maxRssKb: run.maxRssKb,
    cpuSeconds: run.cpuSeconds,
    peakInFlight: null,
    peakHeapKb: null,
    byStatus: seen?.byStatus ?? {},
  };
  if (seen) {
    figure.meanSessionMs = seen.durationSum / Math.max(1, count);
    figure.lastOkSeconds = (seen.lastOkEnd - seen.firstStart) / 1000;
  }
  rmSync(out, { force: true });
  return figure;
}

/** Statuses, the scan window and durations from a grab's records, streamed (the million is 2 GB). */
async function readGrab(path: string) {
  const byStatus: Record<string, number> = {};
  let sessions = 0;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = 0;
  let lastOkEnd = 0;
  let durationSum = 0;
  const lines = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!line) continue;
    // the fields needed sit at the start of every record: no need to parse 2 KB of JSON
    const head = line.slice(0, 400);
    const status = /"status":"([^"]+)"/.exec(head)?.[1] ?? "?";
    const started = Date.parse(/"started_at":"([^"]+)"/.exec(head)?.[1] ?? "");
    const duration = Number(/"duration_ms":(\d+)/.exec(head)?.[1] ?? "0");
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    sessions += 1;
    durationSum += duration;
    firstStart = Math.min(firstStart, started);
    lastEnd = Math.max(lastEnd, started + duration);
    if (status === "ok") lastOkEnd = Math.max(lastOkEnd, started + duration);
  }
  return { byStatus, sessions, firstStart, lastEnd, lastOkEnd, durationSum };
}

async function cClient(tool: string, concurrency: number, mode: "ehlo" | "help"): Promise<ScenarioFigure> {
  if (!clientBinary) return missing(tool, "gcc is missing: apt-get install gcc");
  const argv = [
    "--cidr",
    CIDR,
    "--port",
    "25",
    "--concurrency",
    String(concurrency),
    "--sessions",
    String(sessions),
    "--mode",
    mode,
    "--timeout-ms",
    "20000",
  ];
  log(`${tool}: smtp-client ${argv.join(" ")}`);
  const run = await timed(clientBinary, argv, limitMs);
  return loopFigure(run, tool, `bench/c/smtp-client ${argv.join(" ")}`);
}

async function connectLoop(concurrency: number): Promise<ScenarioFigure> {
  const argv = [
    dist("connect-loop.js"),
    "--cidr",
    CIDR,
    "--port",
    "25",
    "--concurrency",
    String(concurrency),
    "--sessions",
    String(sessions),
    "--mode",
    "dialogue",
  ];
  log(`node connect loop: ${argv.slice(1).join(" ")}`);
  const run = await timed(process.execPath, argv, limitMs);
  return loopFigure(
    run,
    "node:net connect loop (EHLO, HELP)",
    "bench/connect-loop --mode dialogue: node:net, banner, EHLO, HELP, QUIT; no records",
  );
}

function loopFigure(run: Awaited<ReturnType<typeof timed>>, tool: string, what: string): ScenarioFigure {
  if (run.code !== 0) throw new Error(`${tool} exited ${run.code}: ${run.stderr.slice(-1000)}`);
  const result = lastJsonLine<LoopResult>(run.stdout);
  return {
    tool,
    what,
    sessions: result.sessions,
    ok: result.ok,
    wallSeconds: run.wallSeconds,
    windowSeconds: result.seconds,
    perSecond: result.sessions / result.seconds,
    wallPerSecond: result.sessions / run.wallSeconds,
    maxRssKb: run.maxRssKb,
    cpuSeconds: run.cpuSeconds,
    peakInFlight: result.peakInFlight,
    peakHeapKb: result.peakHeapKb ?? null,
    byStatus: result.byStatus,
  };
}

function missing(tool: string, note: string): ScenarioFigure {
  return {
    tool,
    what: tool,
    sessions: 0,
    ok: 0,
    wallSeconds: 0,
    windowSeconds: 0,
    perSecond: Number.NaN,
    wallPerSecond: Number.NaN,
    maxRssKb: null,
    cpuSeconds: null,
    peakInFlight: null,
    peakHeapKb: null,
    byStatus: {},
    note,
  };
}
