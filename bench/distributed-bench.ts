/**
 * `npm run bench:distributed`: the distributed engine on this machine. Runs INSIDE a private
 * network namespace (package.json starts it with `unshare --net`): the C epoll server
 * (bench/c/smtp-server.c) answers every 127.x address on port 25, a private PostgreSQL cluster
 * (lab/postgres.ts) holds the runs, and 1, 2 and 4 `smtpsurvey worker` processes grab the same
 * planned targets (a seeded sample of 127.1.0.0/16, planned as a space descriptor: the chunks are
 * index ranges of the sample's permutation, no target is stored). Reports:
 *
 *   - sessions/s for each number of workers, each worker's share, and the ratio against one,
 *     under two loads: replies at once (CPU-bound: one worker's engine already keeps both cores
 *     of a 2-core machine busy, so more workers cannot add CPU) and every reply held 200 ms
 *     (bounded by concurrency ÷ latency: "where CPU allows", each worker adds its -c);
 *   - the time to recover a chunk whose worker was killed with kill -9 (lease + pg-boss's check);
 *   - PostgreSQL's write rate (records/s, batches of 500, as the workers write them);
 *   - bytes per record, in the table and as JSON, with and without the transcript;
 *   - a one-machine `survey` and a `survey --engine` with two local workers of the same targets:
 *     their run directories' records.jsonl and targets.jsonl, record for record, times aside.
 *
 * Every run must come out with count(*) = count(distinct (ip, port)) = the planned targets.
 * Writes bench/results/distributed-latest.md and .json. `-- --only surveys` runs the run-directory
 * comparison alone (shown, not written).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startPostgres } from "../lab/postgres.js";
import { timeless } from "../lab/record-compare.js";
import { Scope } from "../src/core/scope.js";
import { writeBatch } from "../src/distributed/commit.js";
import { newManifest, type RunManifest } from "../src/distributed/manifest.js";
import { type PlanTargets, planRun } from "../src/distributed/plan-run.js";
import { openQueue, queueName } from "../src/distributed/queue.js";
import { createRun, migrate, runCounts } from "../src/distributed/runs.js";
import { SCHEMA } from "../src/distributed/schema.js";
import { blankRecord } from "../src/protocols/blank-record.js";
import { planTargets } from "../src/targets/plan.js";
import { buildC } from "./c-build.js";
import { ipv4Range, numberArg, parseArgs } from "./common.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const log = (text: string) => process.stderr.write(`[bench distributed] ${text}\n`);
const args = parseArgs(process.argv.slice(2));
const TARGETS = numberArg(args, "targets", 40_000);
/** targets of the held-200 ms load: its sessions take 0.8 s each (four replies held) */
const HELD_TARGETS = numberArg(args, "held-targets", 20_000);
const HELD_PORT = 2525;
/** targets of the run-directory comparison */
const SURVEY_TARGETS = numberArg(args, "survey-targets", 2000);
const CHUNK = numberArg(args, "chunk", 2000);
const CONCURRENCY = numberArg(args, "concurrency", 500);
const LEASE = numberArg(args, "lease", 6);
const WORKER_COUNTS = (args.get("workers") ?? "1,2,4").split(",").map(Number);
const CIDR = "127.1.0.0/16";

interface WorkerFigure {
  chunks: number;
  records: number;
  seconds: number;
}
interface ScalingRow {
  load: string;
  targets: number;
  workers: number;
  seconds: number;
  perSecond: number;
  ratio: number;
  exact: boolean;
  each: WorkerFigure[];
}

// ---- the namespace: only lo, then the C server on every 127.x address
const links = execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).trim().split("\n");
if (links.length !== 1 || !links[0]?.includes(" lo:"))
  throw new Error(
    "run through `npm run bench:distributed` (unshare --net): this needs a namespace of its own",
  );
execFileSync("ip", ["link", "set", "lo", "up"]);
execFileSync("sysctl", ["-qw", "net.core.somaxconn=65535"]);
const serverBinary = buildC(repo, "smtp-server");
if (!serverBinary) throw new Error("the C server cannot be built (gcc)");
const smtp = spawn(serverBinary, ["--port", "25", "--host", "0.0.0.0"], {
  stdio: ["ignore", "ignore", "inherit"],
});
const held = spawn(serverBinary, ["--port", String(HELD_PORT), "--host", "0.0.0.0", "--delay-ms", "200"], {
  stdio: ["ignore", "ignore", "inherit"],
});
const database = await startPostgres();
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
pool.on("error", () => {});
const boss = await openQueue(database.url, { maintenanceSeconds: 1 });
await migrate(pool);
const range = ipv4Range(CIDR);

function manifest(run: string, port = 25, targets = TARGETS): RunManifest {
  return newManifest({
    run,
    recipe: {
      scope: "127.0.0.0/8",
      limits: {
        concurrency: CONCURRENCY,
        rate: 0,
        perIpConcurrency: 1,
        perIpRate: 0,
        connectTimeoutMs: 10_000,
        sessionTimeoutMs: 60_000,
        transcripts: true,
      },
      protocol: { ehloName: "bench.invalid", starttls: "never", replyTimeoutMs: 20_000, probes: [] },
      identify: false,
    },
    ports: [{ port, protocol: "smtp" }],
    chunkTargets: CHUNK,
    targets: { cidr: CIDR, sample: targets, seed: run },
  });
}

/** A seeded sample of the CIDR, as the coordinator plans it: a space descriptor, nothing stored. */
async function sampled(count: number, seed: string): Promise<PlanTargets> {
  const plan = await planTargets({
    args: [CIDR],
    inputs: [],
    countries: [],
    asns: [],
    excludes: [],
    sample: BigInt(count),
    seed,
    scope: Scope.parse("127.0.0.0/8"),
  });
  const parts = plan.parts();
  return { space: plan.spaceDescriptor(), spaceTargets: parts.space, singles: parts.singles };
}

function startWorker(): { child: ChildProcess; done: Promise<WorkerFigure> } {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(repo, "bin", "smtpsurvey.js"), "worker", "--engine", database.url, "--scope", "127.0.0.0/8"].concat(
      ["--exit-when-idle"],
    ),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<WorkerFigure>((resolve) =>
    child.on("close", () => {
      const m = /(\d+) chunks, (\d+) records/.exec(stderr);
      resolve({
        chunks: Number(m?.[1] ?? 0),
        records: Number(m?.[2] ?? 0),
        seconds: (performance.now() - started) / 1000,
      });
    }),
  );
  return { child, done };
}

async function exact(run: string, targets = TARGETS): Promise<boolean> {
  const counts = await runCounts(pool, run);
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.targets WHERE run_id = $1`, [
    run,
  ]);
  return (
    counts.records === targets &&
    counts.distinct === targets &&
    counts.chunksDone === Math.ceil(targets / CHUNK) &&
    (rows[0] as { n: number }).n === 0
  );
}

const scaling: ScalingRow[] = [];
let recovery: { seconds: number; chunk: number; exact: boolean } | null = null;
try {
  const surveysOnly = args.get("only") === "surveys";
  const loads = [
    { key: "at-once", name: "replies at once", port: 25, targets: TARGETS },
    { key: "held", name: "every reply held 200 ms", port: HELD_PORT, targets: HELD_TARGETS },
  ];
  for (const load of surveysOnly ? [] : loads) {
    const first = scaling.length;
    for (const workers of WORKER_COUNTS) {
      const run = `bench-${load.key}-${workers}w`;
      await planRun(
        pool,
        boss,
        manifest(run, load.port, load.targets),
        await sampled(load.targets, run),
        LEASE,
      );
      log(`${load.name}: ${workers} worker(s), ${load.targets} targets in chunks of ${CHUNK}`);
      const started = performance.now();
      const each = await Promise.all(Array.from({ length: workers }, () => startWorker().done));
      const seconds = (performance.now() - started) / 1000;
      const perSecond = load.targets / seconds;
      scaling.push({
        load: load.name,
        targets: load.targets,
        workers,
        seconds,
        perSecond,
        ratio: perSecond / (scaling[first]?.perSecond ?? perSecond),
        exact: await exact(run, load.targets),
        each,
      });
    }
  }

  // recovery: two workers, one killed with kill -9 while it holds a chunk
  if (!surveysOnly) {
    const run = "bench-recovery";
    await planRun(pool, boss, manifest(run), await sampled(TARGETS, run), LEASE);
    const victim = startWorker();
    const other = startWorker();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    log(`recovery: killed one of two workers at ${new Date(killedAt).toISOString()}`);
    await victim.done;
    await other.done;
    const { rows } = await pool.query(
      `SELECT (j.data->>'chunk')::int AS chunk, extract(epoch FROM c.done_at) * 1000 AS done_ms
         FROM pgboss.job j JOIN ${SCHEMA}.chunks c ON c.run_id = $2 AND c.chunk = (j.data->>'chunk')::int
        WHERE j.name = $1 AND j.retry_count > 0 ORDER BY c.done_at LIMIT 1`,
      [queueName(run), run],
    );
    const redone = rows[0] as { chunk: number; done_ms: number } | undefined;
    recovery = redone
      ? { seconds: (Number(redone.done_ms) - killedAt) / 1000, chunk: redone.chunk, exact: await exact(run) }
      : null;
  }

  // PostgreSQL's write rate, as the workers write: batches of 500 with ON CONFLICT
  const writeRun = "bench-writes";
  await createRun(pool, writeRun, { bench: true }, 1, 50_000);
  const client = await pool.connect();
  const writeStarted = performance.now();
  try {
    for (let first = 0; first < 50_000; first += 500) {
      const batch = Array.from({ length: 500 }, (_, i) =>
        blankRecord({
          ip: range.at(first + i),
          port: 25,
          protocol: "smtp",
          status: "ok",
          started_at: new Date().toISOString(),
        }),
      );
      await writeBatch(client, { run: writeRun, chunk: 0, jobId: "" }, batch);
    }
  } finally {
    client.release();
  }
  const writesPerSecond = 50_000 / ((performance.now() - writeStarted) / 1000);

  const sizes = (
    await pool.query(
      `SELECT avg(octet_length(record::text)) AS json, avg(octet_length((record::jsonb - 'transcript')::text)) AS bare,
              pg_total_relation_size('${SCHEMA}.records') / (SELECT count(*) FROM ${SCHEMA}.records) AS table
         FROM ${SCHEMA}.records WHERE run_id = $1`,
      [`bench-at-once-${WORKER_COUNTS[0]}w`],
    )
  ).rows[0] as { json: string; bare: string; table: string };
  const bytes = {
    json: Number(sizes.json),
    withoutTranscript: Number(sizes.bare),
    tableAll: Number(sizes.table),
  };

  const surveys = await compareSurveys();

  const report = {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model ?? "",
    targets: TARGETS,
    chunk: CHUNK,
    concurrency: CONCURRENCY,
    lease: LEASE,
    scaling,
    recovery,
    writesPerSecond,
    bytes,
    surveys,
  };
  const outDir = join(repo, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  // a partial run (--only surveys) is shown, not kept as the latest
  if (!surveysOnly) {
    writeFileSync(join(outDir, "distributed-latest.json"), `${JSON.stringify(report, null, 1)}\n`);
    writeFileSync(join(outDir, "distributed-latest.md"), render(report));
  }
  process.stdout.write(render(report));
} finally {
  await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
  await pool.end();
  await database.stop();
  smtp.kill("SIGTERM");
  held.kill("SIGTERM");
}

interface SurveyComparison {
  targets: number;
  records: number;
  sameRecords: boolean;
  sameTargets: boolean;
  differing: number;
  /** the first coordinator died of kill -9, with this many records in the database */
  coordinatorKilled: boolean;
  recordsAtKill: number;
  /** after --resume: count(*) = count(distinct (ip, port)) = the planned targets */
  exactAfterResume: boolean;
  oneMachineSeconds: number;
  engineSeconds: number;
}

/**
 * One-machine survey against survey --engine -w 2 on the same sample, its coordinator (and so
 * its local workers) killed with kill -9 once a fifth of the records are in, and started again
 * with --resume: the run directories, and the database's counts after the resume.
 */
async function compareSurveys(): Promise<SurveyComparison> {
  const work = mkdtempSync(join(tmpdir(), "smtpsurvey-bench-surveys-"));
  try {
    const common = [
      "survey",
      `${CIDR}`,
      "--sample",
      String(SURVEY_TARGETS),
      "--seed",
      "bench-survey",
      "-p",
      "25",
      "--scope",
      "127.0.0.0/8",
      "--ehlo",
      "bench.invalid",
      "--per-ip-rate",
      "0",
      "-q",
    ];
    const run = (argv: string[]) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [join(repo, "bin", "smtpsurvey.js"), ...argv], {
          stdio: ["ignore", "ignore", "inherit"],
        });
        child.on("error", reject);
        child.on("close", (code) =>
          code === 0
            ? resolve((performance.now() - started) / 1000)
            : reject(new Error(`survey exited ${code}`)),
        );
      });
    const alone = join(work, "alone");
    const shared = join(work, "shared");
    log(`run directories: one-machine survey of ${SURVEY_TARGETS} targets`);
    const oneMachineSeconds = await run([...common, "-o", alone]);
    log(
      "run directories: survey --engine with 2 local workers, the coordinator killed with kill -9, then --resume",
    );
    const engineArgs = [
      ...common,
      "-o",
      shared,
      "--engine",
      database.url,
      "-w",
      "2",
      "--chunk-targets",
      "200",
      "--lease",
      String(LEASE),
    ];
    const engineStarted = performance.now();
    const first = spawn(process.execPath, [join(repo, "bin", "smtpsurvey.js"), ...engineArgs], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const firstExit = new Promise<string | null>((resolve) =>
      first.on("close", (_code, signal) => resolve(signal)),
    );
    // killed mid-grab: once its workers have written some records (or after 30 s at most)
    for (let waited = 0; waited < 30_000; waited += 200) {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM ${SCHEMA}.records WHERE run_id LIKE 'shared-%'`,
      );
      if ((rows[0] as { n: number }).n >= SURVEY_TARGETS / 5) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    first.kill("SIGKILL");
    const coordinatorKilled = (await firstExit) === "SIGKILL";
    const { rows: before } = await pool.query(
      `SELECT count(*)::int AS n FROM ${SCHEMA}.records WHERE run_id LIKE 'shared-%'`,
    );
    const recordsAtKill = (before[0] as { n: number }).n;
    await run([...engineArgs, "--resume"]);
    const engineSeconds = (performance.now() - engineStarted) / 1000;
    const { rows: after } = await pool.query(
      `SELECT run_id FROM ${SCHEMA}.runs WHERE run_id LIKE 'shared-%'`,
    );
    const sharedRun = (after[0] as { run_id: string }).run_id;
    const counts = await runCounts(pool, sharedRun);
    const lines = (dir: string, file: string) =>
      readFileSync(join(dir, file), "utf8").trim().split("\n").map(timeless).sort();
    const a = lines(alone, "records.jsonl");
    const b = lines(shared, "records.jsonl");
    const theirs = new Set(b);
    return {
      targets: SURVEY_TARGETS,
      records: a.length,
      sameRecords: a.length === b.length && a.every((line, i) => line === b[i]),
      sameTargets:
        readFileSync(join(alone, "targets.jsonl"), "utf8") ===
        readFileSync(join(shared, "targets.jsonl"), "utf8"),
      differing: a.filter((line) => !theirs.has(line)).length,
      coordinatorKilled,
      recordsAtKill,
      exactAfterResume: counts.records === SURVEY_TARGETS && counts.distinct === SURVEY_TARGETS,
      oneMachineSeconds,
      engineSeconds,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function render(r: {
  date: string;
  cpus: number;
  targets: number;
  chunk: number;
  concurrency: number;
  lease: number;
  scaling: ScalingRow[];
  recovery: typeof recovery;
  writesPerSecond: number;
  bytes: { json: number; withoutTranscript: number; tableAll: number };
  surveys: SurveyComparison;
}): string {
  const v = r.surveys;
  const lines = [
    "# smtpsurvey distributed benchmark",
    "",
    `${r.date} · ${r.cpus} CPU · the C server, a seeded sample of ${CIDR} planned as a space descriptor (no target stored), chunks of ${r.chunk}, -c ${r.concurrency} per worker, lease ${r.lease} s`,
    "",
    "Replies at once, each worker's engine is bound by CPU: on a 2-core machine that also runs the server and PostgreSQL, more workers cannot add CPU. Every reply held 200 ms, the work is bound by concurrency ÷ latency (each worker brings its -c): that is the scaling the queue itself allows.",
    "",
    "| load | targets | workers | seconds | sessions/s | ratio to 1 | each worker (chunks, records, sessions/s) | count = distinct = planned, nothing stored |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ...r.scaling.map(
      (s) =>
        `| ${s.load} | ${s.targets.toLocaleString("en-US")} | ${s.workers} | ${s.seconds.toFixed(1)} | ${s.perSecond.toFixed(0)} | ${s.ratio.toFixed(2)} | ${s.each
          .map((w) => `${w.chunks}, ${w.records}, ${(w.records / w.seconds).toFixed(0)}/s`)
          .join("; ")} | ${s.exact ? "yes" : "NO"} |`,
    ),
    "",
    r.recovery
      ? `Recovery: a worker killed with kill -9 while holding chunk ${r.recovery.chunk}; it was done again ${r.recovery.seconds.toFixed(1)} s after the kill (lease ${r.lease} s). count = distinct = planned: ${r.recovery.exact ? "yes" : "NO"}.`
      : "Recovery: the killed worker held no chunk when it died (nothing to recover).",
    "",
    `PostgreSQL write rate: ${r.writesPerSecond.toFixed(0)} records/s (blank records, batches of 500, ON CONFLICT DO NOTHING, fsync off in this private cluster).`,
    "",
    `Run directories: a one-machine \`survey\` and \`survey --engine -w 2\` of the same ${v.targets.toLocaleString("en-US")}-address sample (${v.oneMachineSeconds.toFixed(1)} s and ${v.engineSeconds.toFixed(1)} s), the coordinator ${v.coordinatorKilled ? "killed with kill -9" : "NOT killed"} mid-grab (${v.recordsAtKill} records in the database then) and resumed with --resume: count = distinct = planned ${v.exactAfterResume ? "yes" : "NO"}; records.jsonl ${v.sameRecords ? "the same" : "NOT the same"}, record for record with times and the interleaving of a probe's connection aside (${v.records} records, ${v.differing} differing); targets.jsonl ${v.sameTargets ? "the same" : "NOT the same"}.`,
    "",
    `Bytes per record: ${r.bytes.json.toFixed(0)} as JSON, ${r.bytes.withoutTranscript.toFixed(0)} without the transcript; ${r.bytes.tableAll.toFixed(0)} in the table with its primary-key index (every run's rows: the size ÷ their count). 10 M records: ${((r.bytes.tableAll * 10e6) / 1e9).toFixed(1)} GB.`,
    "",
  ];
  return lines.join("\n");
}
