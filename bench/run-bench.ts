/**
 * `npm run bench`: smtpsurvey's sessions per second and peak memory, each beside a baseline
 * measured in the same run, as a ratio. Needs root (a private network namespace; the lab).
 *
 *   1. The lab (real MTAs on 127.77.x, from .lab-state/manifest.json): smtpsurvey's engine
 *      (runScan) at concurrency 1, 100 and 1,000, each lab endpoint repeated round robin for
 *      BENCH_LAB_SECONDS, against the plain connect loop at the same concurrency.
 *   2. A private network namespace (`unshare --net`, only `lo`): the C epoll server on
 *      0.0.0.0:25 answers every 127.x address; `smtpsurvey grab` against the C epoll client on
 *      20,000 of them with replies at once (1,000 in flight) and every reply held 200 ms (5,000
 *      in flight), then a latency run (200 ms–2 s), a tarpit run and a million targets
 *      (see netns-run.ts).
 *
 * Prints a markdown report and writes it to bench/results/latest.md and latest.json, and to a
 * copy of each named after the start time.
 *
 * Environment: BENCH_LAB=auto (default: start the lab's servers that are not running and stop
 * only those after), running (use only what already runs), skip. BENCH_LAB_SECONDS (10), BENCH_LAB_LEVELS (1,100,1000),
 * BENCH_NETNS=0 skips part 2, BENCH_SESSIONS (20000), BENCH_REPEAT (3: the two table rows, best
 * of), BENCH_WORKERS (the grab's -w; default its own), BENCH_ONLY (a comma list of at-once,
 * held-200ms, latency, tarpit, million), BENCH_LAB_REPEAT (1).
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
import type { NetnsReport, Scenario, ScenarioFigure } from "./netns-run.js";

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
    "--sessions",
    env.BENCH_SESSIONS ?? "20000",
    "--repeat",
    env.BENCH_REPEAT ?? "3",
    ...(env.BENCH_WORKERS ? ["--workers", env.BENCH_WORKERS] : []),
    ...(env.BENCH_ONLY ? ["--only", env.BENCH_ONLY] : []),
  ];
  log(`private network namespace: unshare ${args.join(" ")}`);
  const child = spawn("/usr/bin/unshare", args, { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  const limit = setTimeout(() => {
    log("the namespace run took over 40 minutes: killing it");
    if (child.pid) process.kill(child.pid, "SIGKILL");
  }, 40 * 60_000);
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
  if (netnsReport && "scenarios" in netnsReport) out.push(...renderEngine(netnsReport));
  else if (netnsReport && "error" in netnsReport)
    out.push(`Network namespace part failed: ${netnsReport.error}\n`);

  if (labReport) {
    out.push("## The lab, against the node:net connect loop\n");
    out.push(
      "| figure | smtpsurvey | baseline | baseline sessions/s | ratio | peak RSS smtpsurvey / baseline |",
    );
    out.push("| --- | --- | --- | --- | --- | --- |");
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
    out.push("");
  }

  if (labReport) {
    out.push("### Lab runs in detail\n");
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
      "the C client is bench/c/smtp-client (epoll, libc only). " +
      "smtpsurvey runScan is the engine through its API (bench/engine-loop), records serialised but not " +
      "written; smtpsurvey grab is the CLI with its JSON Lines output and SQLite run state.\n",
  );
  return `${out.join("\n")}\n`;
}

/** The engine's table (the issue's two rows), the latency and tarpit runs, the million, and every run in detail. */
function renderEngine(report: NetnsReport): string[] {
  const out: string[] = [];
  const find = (key: string) => report.scenarios.find((s) => s.key === key);
  const run = (scenario: Scenario | undefined, tool: string) => scenario?.runs.find((r) => r.tool === tool);
  out.push("## The engine against a C epoll client, in a private network namespace\n");
  out.push(
    `The same ${int(report.scenarios[0]?.sessions ?? 0)} loopback addresses, one C epoll server ` +
      "(bench/c/smtp-server.c) answering all of them, each tool in turn, best of " +
      `${report.repeat} interleaved runs. The C client (bench/c/smtp-client.c) says banner, EHLO, QUIT; the ` +
      "grab says banner, EHLO, HELP, QUIT (HELP and QUIT in one write, as RFC 2920 allows: the server offers " +
      "PIPELINING; `--no-pipelining` sends them apart) and writes every record with its run state. Sessions/s over the " +
      "scan window (first connect to last session end); the whole process's wall time (node start-up, " +
      "modules, worker threads) is beside it. Workers: " +
      `${report.workers}.\n`,
  );
  out.push(
    "| load | smtpsurvey grab | C client | ratio | ratio, wall clock | grab CPU µs/session | grab peak RSS |",
  );
  out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const key of ["at-once", "held-200ms"]) {
    const scenario = find(key);
    const ours = run(scenario, "smtpsurvey grab");
    const theirs = run(scenario, "C client");
    if (!scenario || !ours || !theirs) continue;
    out.push(
      `| ${key === "at-once" ? "replies at once" : "every reply held 200 ms"}, ${int(scenario.concurrency)} in flight | ` +
        `${rate(ours.perSecond)} | ${rate(theirs.perSecond)} | ${ratio(ours.perSecond, theirs.perSecond)} | ` +
        `${ratio(ours.wallPerSecond, theirs.wallPerSecond)} | ${cpuPerSession(ours)} | ${MB(ours.maxRssKb)} |`,
    );
  }
  out.push("");
  const beside = (ours: ScenarioFigure | undefined, theirs: ScenarioFigure | undefined) =>
    `grab ${rate(ours?.perSecond ?? Number.NaN)}, C client with HELP ${rate(theirs?.perSecond ?? Number.NaN)}, ` +
    `ratio ${ratio(ours?.perSecond ?? Number.NaN, theirs?.perSecond ?? Number.NaN)}`;
  const latency = find("latency");
  if (latency) {
    const ours = run(latency, "smtpsurvey grab");
    const theirs = run(latency, "C client, HELP too");
    out.push(
      `**Latency** (${latency.name}): ${beside(ours, theirs)}; the grab's sessions took ` +
        `${Math.round(ours?.meanSessionMs ?? 0)} ms on average; ${statuses(ours?.byStatus ?? {})}; peak RSS ` +
        `${MB(ours?.maxRssKb ?? null)}, CPU ${cpuPerSession(ours)} µs/session.\n`,
    );
  }
  const tarpit = find("tarpit");
  if (tarpit) {
    const ours = run(tarpit, "smtpsurvey grab");
    const theirs = run(tarpit, "C client, HELP too");
    out.push(
      `**Tarpits** (${tarpit.name}): ${beside(ours, theirs)}; grab ${statuses(ours?.byStatus ?? {})}, the ` +
        `last \`ok\` session ended ${ours?.lastOkSeconds?.toFixed(1) ?? "?"} s into the scan and the tarpits at ` +
        `the 20 s reply timeout (window ${ours?.windowSeconds.toFixed(1) ?? "?"} s); C client ` +
        `${statuses(theirs?.byStatus ?? {})} in ${theirs?.windowSeconds.toFixed(1) ?? "?"} s; grab peak RSS ` +
        `${MB(ours?.maxRssKb ?? null)}.\n`,
    );
  }
  const million = find("million");
  const big = run(million, "smtpsurvey grab");
  if (million && big) {
    out.push(
      `**A million targets** (${million.name}): ${int(big.sessions)} records, ${rate(big.perSecond)}, ` +
        `peak RSS ${MB(big.maxRssKb)}, CPU ${cpuPerSession(big)} µs/session.\n`,
    );
  }
  out.push("### Every run\n");
  for (const scenario of report.scenarios) {
    out.push(`#### ${scenario.name}\n`);
    out.push(`Server: \`smtp-server ${scenario.server.join(" ") || "(no delay)"}\`.\n`);
    out.push(
      "| tool | sessions | ok | window s | sessions/s | wall s | sessions/s, wall | CPU s | CPU µs/session | peak RSS | every run |",
    );
    out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (const r of scenario.runs) {
      out.push(
        `| ${r.tool} | ${int(r.sessions)} | ${int(r.ok)} | ${r.windowSeconds.toFixed(2)} | ${rate(r.perSecond)} | ` +
          `${r.wallSeconds.toFixed(2)} | ${rate(r.wallPerSecond)} | ${r.cpuSeconds?.toFixed(2) ?? "?"} | ` +
          `${cpuPerSession(r)} | ${MB(r.maxRssKb)} | ${r.samples ? r.samples.map(rate).join(", ") : "–"} |`,
      );
    }
    out.push("");
    for (const r of scenario.runs) out.push(`- ${r.tool}: \`${r.what}\`${r.note ? ` — ${r.note}` : ""}`);
    out.push("");
  }
  return out;
}

function cpuPerSession(r: RunFigure | undefined): string {
  return !r || r.cpuSeconds === null || r.sessions === 0
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
