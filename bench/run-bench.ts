/**
 * `npm run bench`: smtpsurvey's sessions per second and peak memory, each beside a baseline
 * measured in the same run, as a ratio. Needs root (a private network namespace; the lab).
 *
 *   1. The lab (real MTAs on 127.77.x, from .lab-state/manifest.json): smtpsurvey's engine
 *      (runScan) at concurrency 1, 100 and 1,000, each lab endpoint repeated round robin for
 *      BENCH_LAB_SECONDS, against the plain connect loop at the same concurrency.
 *   2. A private network namespace (`unshare --net`, only `lo`): a trivial banner server on
 *      0.0.0.0:25 answers every 127.x address; `smtpsurvey grab` over 32,768 of them at
 *      -c 10000 against the connect loop and nmap's banner script (see netns-run.ts).
 *
 * Prints a markdown report and writes it to bench/results/latest.md and latest.json, and to a
 * copy of each named after the start time.
 *
 * Environment: BENCH_LAB=auto (default: start the lab's servers that are not running and stop
 * only those after), running (use only what already runs), skip. BENCH_LAB_SECONDS (10), BENCH_LAB_LEVELS (1,100,1000),
 * BENCH_NETNS=0 skips part 2, BENCH_CIDR (127.1.0.0/17), BENCH_CONCURRENCY (10000),
 * BENCH_DELAY_MS (1000), BENCH_SERVER_WORKERS (1), BENCH_REPEAT (3: loopback runs, best of),
 * BENCH_LAB_REPEAT (1).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  assertLoopback,
  bestOf,
  type LoopResult,
  lastJsonLine,
  MB,
  type RunFigure,
  type TimedRun,
  timed,
} from "./common.js";
import type { NetnsReport } from "./netns-run.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const dist = (file: string) => join(repo, "dist", "bench", file);
const cli = join(repo, "bin", "smtpsurvey.js");
const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);
const env = process.env;

interface LabServerInfo {
  name: string;
  product: string;
  version: string;
  ip: string;
  endpoints: Array<{ port: number; protocol: string }>;
  pids: number[];
}

interface LabFigure extends RunFigure {
  level: number;
  /** every session, the ones that ended after the window included */
  allSessions: number;
  /** how long the sessions in flight at the end of the window took to finish */
  drainSeconds: number;
  byIp: Record<string, number>;
  okByIp: Record<string, number>;
  msByIp: Record<string, number>;
}

interface LabReport {
  state: string;
  servers: Array<{ name: string; product: string; endpoint: string }>;
  seconds: number;
  repeat?: number;
  figures: LabFigure[];
}

if (process.getuid?.() !== 0) {
  process.stderr.write(
    "npm run bench needs root: it creates a private network namespace (unshare --net) for the " +
      "10,000-session run and starts the lab's mail servers. Run it as root (e.g. sudo npm run bench).\n",
  );
  process.exit(2);
}
for (const tool of ["/usr/bin/time", "/usr/bin/unshare"]) {
  if (!existsSync(tool)) {
    process.stderr.write(`npm run bench needs ${tool} (apt-get install time util-linux)\n`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------------------------------------
// Part 1: the lab

function labDir(): string {
  return env.SMTPSURVEY_LAB_DIR || join(repo, ".lab-state");
}

function readLabServers(): LabServerInfo[] | null {
  const file = join(labDir(), "manifest.json");
  if (!existsSync(file)) return null;
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { servers?: LabServerInfo[] };
  return manifest.servers ?? null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runCli(args: string[], limitMs: number): Promise<TimedRun> {
  const run = await timed(process.execPath, [cli, ...args], limitMs);
  if (run.code !== 0) log(`smtpsurvey ${args.join(" ")} exited ${run.code}: ${run.stderr.trim()}`);
  return run;
}

async function labPart(): Promise<LabReport | null> {
  const mode = env.BENCH_LAB ?? "auto";
  const aliveNames = () =>
    new Set((readLabServers() ?? []).filter((s) => s.pids.every(alive)).map((s) => s.name));
  const before = aliveNames();
  let startedHere: string[] = [];
  if (mode === "auto") {
    // `lab start` leaves running servers alone; the benchmark later stops only what it started.
    log("starting the lab's servers that are not running (smtpsurvey lab start)…");
    const run = await runCli(["lab", "start"], 15 * 60_000);
    startedHere = [...aliveNames()].filter((name) => !before.has(name));
    if (run.code !== 0 && startedHere.length === 0 && before.size === 0) {
      return {
        state: `lab start failed (exit ${run.code}): ${run.stderr.trim().split("\n").pop() ?? ""}`,
        servers: [],
        seconds: 0,
        figures: [],
      };
    }
  }
  const servers = (readLabServers() ?? []).filter((s) => s.pids.length > 0 && s.pids.every(alive));
  if (servers.length === 0) {
    log("no lab server is running: lab part skipped");
    return { state: "not running: skipped", servers: [], seconds: 0, figures: [] };
  }
  const state =
    startedHere.length === 0
      ? "already running"
      : before.size === 0
        ? "started by the benchmark, stopped after it"
        : `partly running; the benchmark started ${startedHere.join(", ")} and stopped them after`;
  try {
    return await measureLab(servers, state);
  } finally {
    if (startedHere.length > 0) {
      log(`stopping what the benchmark started (smtpsurvey lab stop --only ${startedHere.join(",")})…`);
      await runCli(["lab", "stop", "--only", startedHere.join(",")], 120_000);
    }
  }
}

async function measureLab(servers: LabServerInfo[], state: string): Promise<LabReport> {
  const seconds = Number(env.BENCH_LAB_SECONDS ?? "10");
  const levels = (env.BENCH_LAB_LEVELS ?? "1,100,1000").split(",").map(Number);
  const repeat = Math.max(1, Number(env.BENCH_LAB_REPEAT ?? "1"));
  const targets = servers.flatMap((s) => {
    const smtp = s.endpoints.filter((e) => e.protocol === "smtp");
    const endpoint = smtp.find((e) => e.port === 25) ?? smtp[0];
    if (!endpoint || !s.pids.every(alive)) return [];
    assertLoopback(s.ip);
    return [{ name: s.name, product: `${s.product} ${s.version}`, endpoint: `${s.ip}:${endpoint.port}` }];
  });
  const endpoints = targets.map((t) => t.endpoint).join(",");
  log(`lab: ${targets.length} endpoints (${endpoints}), ${seconds} s per run`);
  const figures: LabFigure[] = [];
  const common = ["--endpoints", endpoints, "--seconds", String(seconds)];
  for (const level of levels) {
    const c = ["--concurrency", String(level)];
    const runs: Array<[string, string, string[]]> = [
      ["smtpsurvey runScan", "STARTTLS auto (as a grab does)", [dist("engine-loop.js"), ...common, ...c]],
      [
        "smtpsurvey runScan --starttls never",
        "no TLS",
        [dist("engine-loop.js"), ...common, ...c, "--starttls", "never"],
      ],
      ["connect loop (banner+QUIT)", "banner, QUIT", [dist("connect-loop.js"), ...common, ...c]],
      [
        "connect loop (EHLO+HELP)",
        "banner, EHLO, HELP, QUIT",
        [dist("connect-loop.js"), ...common, ...c, "--mode", "dialogue"],
      ],
    ];
    const measure =
      ([tool, what, argv]: [string, string, string[]]) =>
      async (): Promise<LabFigure> => {
        log(`lab c=${level}: ${tool}`);
        const run = await timed(process.execPath, argv, (seconds + 120) * 1000);
        if (run.code !== 0) throw new Error(`${tool} exited ${run.code}: ${run.stderr.slice(-1000)}`);
        const result = lastJsonLine<LoopResult>(run.stdout);
        return {
          level,
          tool,
          what,
          // Throughput over the window: the sessions that ended in it ÷ its length (start-up excluded).
          sessions: result.windowSessions ?? 0,
          ok: result.windowOk ?? 0,
          wallSeconds: result.windowSeconds ?? seconds,
          perSecond: (result.windowSessions ?? 0) / (result.windowSeconds ?? seconds),
          allSessions: result.sessions,
          drainSeconds: result.seconds - (result.windowSeconds ?? seconds),
          maxRssKb: run.maxRssKb,
          cpuSeconds: run.cpuSeconds,
          peakInFlight: result.peakInFlight,
          peakHeapKb: result.peakHeapKb ?? null,
          byStatus: result.byStatus,
          byIp: result.byIp ?? {},
          okByIp: result.okByIp ?? {},
          msByIp: result.msByIp ?? {},
        };
      };
    // Let the servers reap their children and the sockets drain before the next run.
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, level >= 100 ? 3000 : 1000));
    figures.push(...(await bestOf(repeat, runs.map(measure), pause)));
  }
  return { state, servers: targets, seconds, repeat, figures };
}

// ---------------------------------------------------------------------------------------------
// Part 2: the private network namespace

async function netnsPart(): Promise<NetnsReport | { error: string }> {
  const args = [
    "--net",
    "--",
    process.execPath,
    dist("netns-run.js"),
    "--cidr",
    env.BENCH_CIDR ?? "127.1.0.0/17",
    "--concurrency",
    env.BENCH_CONCURRENCY ?? "10000",
    "--delays",
    `${env.BENCH_DELAY_MS ?? "1000"},0`,
    "--nmap",
    "127.1.0.0/24,127.1.0.0/20",
    "--workers",
    env.BENCH_SERVER_WORKERS ?? "1",
    "--repeat",
    env.BENCH_REPEAT ?? "3",
  ];
  log(`private network namespace: unshare ${args.join(" ")}`);
  const child = spawn("/usr/bin/unshare", args, { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  const limit = setTimeout(() => {
    log("the namespace run took over 20 minutes: killing it");
    if (child.pid) process.kill(child.pid, "SIGKILL");
  }, 20 * 60_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(limit);
  if (code !== 0) return { error: `netns-run exited ${code}` };
  return lastJsonLine<NetnsReport>(stdout);
}

// ---------------------------------------------------------------------------------------------
// The report

function rate(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  return n >= 100 ? `${Math.round(n).toLocaleString("en-US")}/s` : `${n.toFixed(1)}/s`;
}

const pct = (ok: number, all: number): string => (all === 0 ? "–" : `${((100 * ok) / all).toFixed(0)}% ok`);
const ratio = (a: number, b: number): string =>
  b > 0 && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : "n/a";
const int = (n: number | null): string => (n === null ? "?" : n.toLocaleString("en-US"));

function render(labReport: LabReport | null, netnsReport: NetnsReport | { error: string } | null): string {
  const out: string[] = [];
  const commit = (() => {
    try {
      const head = execFileSync("git", ["-C", repo, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
      const dirty = execFileSync("git", ["-C", repo, "status", "--porcelain"], { encoding: "utf8" }).trim();
      return `${head.trim()}${dirty ? " + uncommitted changes" : ""}`;
    } catch {
      return "?";
    }
  })();
  out.push(`# smtpsurvey benchmark\n`);
  out.push(
    `${started.toISOString()} · commit ${commit} · node ${process.version} · ` +
      `${cpus().length} CPU (${cpus()[0]?.model.trim() ?? "?"}) · ${(totalmem() / 2 ** 30).toFixed(0)} GiB` +
      (netnsReport && "kernel" in netnsReport ? ` · Linux ${netnsReport.kernel}` : "") +
      "\n",
  );
  out.push(
    "Sessions per second (completed sessions, whatever their status; the share that ended `ok` beside " +
      "it) and peak resident memory (`/usr/bin/time -v`), each beside a baseline measured in the same " +
      "run on the same targets. Ratio = smtpsurvey ÷ baseline (above 1 = smtpsurvey faster).\n",
  );

  out.push(
    "| figure | smtpsurvey | baseline | baseline sessions/s | ratio | peak RSS smtpsurvey / baseline |",
  );
  out.push("| --- | --- | --- | --- | --- | --- |");
  if (labReport) {
    for (const level of [...new Set(labReport.figures.map((f) => f.level))]) {
      const at = labReport.figures.filter((f) => f.level === level);
      const pair = (ours: string, theirs: string) => {
        const a = at.find((f) => f.tool === ours);
        const b = at.find((f) => f.tool === theirs);
        if (!a || !b) return;
        out.push(
          `| lab, concurrency ${int(level)} | ${rate(a.perSecond)} (${pct(a.ok, a.sessions)}), ${a.what} | ` +
            `${b.tool} | ${rate(b.perSecond)} (${pct(b.ok, b.sessions)}) | ${ratio(a.perSecond, b.perSecond)} | ` +
            `${MB(a.maxRssKb)} / ${MB(b.maxRssKb)} |`,
        );
      };
      pair("smtpsurvey runScan", "connect loop (banner+QUIT)");
      pair("smtpsurvey runScan --starttls never", "connect loop (EHLO+HELP)");
    }
  }
  if (netnsReport && "scenarios" in netnsReport) {
    for (const scenario of netnsReport.scenarios) {
      const ours = scenario.runs.find((r) => r.tool === "smtpsurvey grab");
      if (!ours) continue;
      const label =
        scenario.delayMs > 0
          ? `${int(scenario.concurrency)} in flight (banner held ${scenario.delayMs / 1000} s)`
          : `-c ${int(scenario.concurrency)}, no banner delay`;
      for (const base of scenario.runs.filter((r) => r.tool !== "smtpsurvey grab")) {
        if (base.tool === "smtpsurvey runScan") continue;
        const subset = base.tool.startsWith("nmap") ? ` on ${scenario.nmapCidr}` : "";
        out.push(
          `| loopback banner server, ${label} | ${rate(ours.perSecond)} (${pct(ours.ok, ours.sessions)}), ` +
            `peak ${int(ours.peakInFlight)} in flight | ${base.tool}${subset} | ${rate(base.perSecond)} ` +
            `(${pct(base.ok, base.sessions)}) | ${ratio(ours.perSecond, base.perSecond)} | ` +
            `${MB(ours.maxRssKb)} / ${MB(base.maxRssKb)} |`,
        );
      }
    }
  }
  out.push("");

  if (netnsReport && "scenarios" in netnsReport) {
    out.push("## Loopback banner server in a private network namespace\n");
    out.push(
      `\`unshare --net\`, only \`lo\` (up), bench/banner-server on 0.0.0.0:25 (${netnsReport.serverWorkers} ` +
        `process) answering every 127.x address; ulimit -n ${netnsReport.nofile}. Wall time is the ` +
        "whole process's (node start-up included for every node tool); sessions/s = sessions ÷ wall time. " +
        `Each node tool ran ${netnsReport.repeat} times, interleaved; the figure is its best run, the peak ` +
        "RSS the highest of its runs; CPU s is user + system of the best run. nmap ran once.\n",
    );
    for (const scenario of netnsReport.scenarios) {
      out.push(`### ${scenario.name}\n`);
      out.push(
        "| tool | sessions | ok | wall s | sessions/s | CPU s | CPU µs/session | peak RSS | peak JS heap | peak in flight | every run |",
      );
      out.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
      for (const r of scenario.runs) out.push(detailRow(r));
      out.push("");
      for (const r of scenario.runs) out.push(`- ${r.tool}: ${r.what}${r.note ? ` — ${r.note}` : ""}`);
      out.push("");
    }
  } else if (netnsReport && "error" in netnsReport) {
    out.push(`Network namespace part failed: ${netnsReport.error}\n`);
  }

  if (labReport) {
    out.push("## Lab\n");
    out.push(
      `Lab: ${labReport.state}. Each run repeats the endpoints below round robin for ${labReport.seconds} s ` +
        "through runScan (per-IP cap = concurrency, no per-IP rate) or the connect loop; sessions/s = the " +
        "sessions that ended within that window ÷ its length. The sessions still in flight then are " +
        "let finish (within the 10 s connect and 20 s reply timeouts): 'drain' says how many sessions " +
        "there were in all and how long the last ones took.\n",
    );
    if (labReport.figures.length > 0) {
      out.push(
        "| concurrency | tool | sessions in window | ok | sessions/s | all sessions, drain | CPU s | peak RSS | peak in flight | statuses (all sessions) |",
      );
      out.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
      for (const f of labReport.figures) {
        out.push(
          `| ${int(f.level)} | ${f.tool} | ${int(f.sessions)} | ${int(f.ok)} | ${rate(f.perSecond)} | ` +
            `${int(f.allSessions)}, ${f.drainSeconds.toFixed(1)} s | ${f.cpuSeconds?.toFixed(2) ?? "?"} | ` +
            `${MB(f.maxRssKb)} | ${int(f.peakInFlight)} | ${statuses(f.byStatus)} |`,
        );
      }
      const refused = labReport.figures.filter(
        (f) => (f.byStatus.refused ?? 0) + (f.byStatus.ECONNREFUSED ?? 0) > 0,
      );
      if (refused.length > 0) {
        out.push(
          `\n**Warning:** connections were refused in ${refused.length} lab run(s) ` +
            `(${refused.map((f) => `c=${f.level} ${f.tool}`).join("; ")}): a lab server was down during the run ` +
            "(stopped by another process?). Those figures are not meaningful; run the benchmark again.",
        );
      }
      out.push("");
      out.push(
        "Per server: mean session duration and share ok, over all sessions of the run (round robin gives " +
          "every server the same number of sessions, so at concurrency 1 the slowest greeting sets the pace).\n",
      );
      const ips = labReport.servers.map((sv) => sv.endpoint.slice(0, sv.endpoint.lastIndexOf(":")));
      out.push(`| concurrency | tool | ${labReport.servers.map((sv) => sv.name).join(" | ")} |`);
      out.push(`| --- | --- | ${labReport.servers.map(() => "---").join(" | ")} |`);
      for (const f of labReport.figures) {
        const cells = ips.map((ip) => {
          const n = f.byIp[ip] ?? 0;
          return n === 0 ? "–" : `${Math.round(f.msByIp[ip] ?? 0)} ms (${pct(f.okByIp[ip] ?? 0, n)})`;
        });
        out.push(`| ${int(f.level)} | ${f.tool} | ${cells.join(" | ")} |`);
      }
      out.push("");
      out.push(
        `Servers: ${labReport.servers.map((sv) => `${sv.name} = ${sv.product} on ${sv.endpoint}`).join("; ")}.`,
      );
      out.push("");
    }
  }
  out.push(
    "Baselines: the connect loop is bench/connect-loop (node:net, no engine, no records, no output); " +
      "nmap is `nmap -p 25 --script banner -n -Pn` on a subset of the same addresses, scaled to per second. " +
      "smtpsurvey runScan is the engine through its API (bench/engine-loop), records serialised but not " +
      "written; smtpsurvey grab is the CLI with its JSON Lines output and SQLite run state.\n",
  );
  return `${out.join("\n")}\n`;
}

function detailRow(r: RunFigure): string {
  return (
    `| ${r.tool} | ${int(r.sessions)} | ${int(r.ok)} | ${r.wallSeconds.toFixed(2)} | ${rate(r.perSecond)} | ` +
    `${r.cpuSeconds?.toFixed(2) ?? "?"} | ${cpuPerSession(r)} | ${MB(r.maxRssKb)} | ` +
    `${r.peakHeapKb === null ? "–" : MB(r.peakHeapKb)} | ${r.peakInFlight === null ? "–" : int(r.peakInFlight)} | ` +
    `${r.samples ? r.samples.map(rate).join(", ") : "–"} |`
  );
}

function cpuPerSession(r: RunFigure): string {
  return r.cpuSeconds === null || r.sessions === 0
    ? "?"
    : String(Math.round((r.cpuSeconds * 1e6) / r.sessions));
}

function statuses(byStatus: Record<string, number>): string {
  return Object.entries(byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s} ${n}`)
    .join(", ");
}

// ---------------------------------------------------------------------------------------------
// Main (last, so that every helper above is initialised)

const started = new Date();
const lab = env.BENCH_LAB === "skip" ? null : await labPart();
const netns = env.BENCH_NETNS === "0" ? null : await netnsPart();
const markdown = render(lab, netns);
const resultsDir = join(repo, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
// latest.* and a copy named after the start time, so that a later run never loses an earlier one.
const stamp = started
  .toISOString()
  .replace(/\.\d+Z$/, "Z")
  .replace(/:/g, "-");
const json = `${JSON.stringify({ started, lab, netns }, null, 2)}\n`;
for (const name of ["latest", stamp]) {
  writeFileSync(join(resultsDir, `${name}.md`), markdown);
  writeFileSync(join(resultsDir, `${name}.json`), json);
}
process.stdout.write(markdown);
log(`written to ${join(resultsDir, "latest.md")}`);
