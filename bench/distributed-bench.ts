/**
 * `npm run bench:distributed`: the distributed engine on this machine. Runs INSIDE a private
 * network namespace (package.json starts it with `unshare --net`): the C epoll server
 * (bench/c/smtp-server.c) answers every 127.x address on port 25, a private PostgreSQL cluster
 * (lab/postgres.ts) holds the runs, and 1, 2 and 4 `smtpsurvey worker` processes grab the same
 * planned targets. Reports:
 *
 *   - sessions/s for each number of workers, each worker's share, and the ratio against one;
 *   - the time to recover a chunk whose worker was killed with kill -9 (lease + pg-boss's check);
 *   - PostgreSQL's write rate (records/s, batches of 500, as the workers write them);
 *   - bytes per record, in the table and as JSON, with and without the transcript.
 *
 * Every run must come out with count(*) = count(distinct (ip, port)) = the planned targets.
 * Writes bench/results/distributed-latest.md and .json.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startPostgres } from "../lab/postgres.js";
import type { Target } from "../src/core/target.js";
import { writeBatch } from "../src/distributed/commit.js";
import { newManifest, type RunManifest } from "../src/distributed/manifest.js";
import { planRun, storedTargets } from "../src/distributed/plan-run.js";
import { openQueue, queueName } from "../src/distributed/queue.js";
import { createRun, migrate, runCounts } from "../src/distributed/runs.js";
import { SCHEMA } from "../src/distributed/schema.js";
import { blankRecord } from "../src/protocols/blank-record.js";
import { buildC } from "./c-build.js";
import { ipv4Range, numberArg, parseArgs } from "./common.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const log = (text: string) => process.stderr.write(`[bench distributed] ${text}\n`);
const args = parseArgs(process.argv.slice(2));
const TARGETS = numberArg(args, "targets", 40_000);
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
const database = await startPostgres();
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
pool.on("error", () => {});
const boss = await openQueue(database.url, { maintenanceSeconds: 1 });
await migrate(pool);
const range = ipv4Range(CIDR);

function manifest(run: string): RunManifest {
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
    ports: [{ port: 25, protocol: "smtp" }],
    chunkTargets: CHUNK,
    targets: { cidr: CIDR, first: TARGETS },
  });
}

async function* targets(): AsyncGenerator<Target> {
  for (let i = 0; i < TARGETS; i++) yield { ip: range.at(i) };
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

async function exact(run: string): Promise<boolean> {
  const counts = await runCounts(pool, run);
  return (
    counts.records === TARGETS &&
    counts.distinct === TARGETS &&
    counts.chunksDone === Math.ceil(TARGETS / CHUNK)
  );
}

const scaling: ScalingRow[] = [];
let recovery: { seconds: number; chunk: number; exact: boolean } | null = null;
try {
  for (const workers of WORKER_COUNTS) {
    const run = `bench-${workers}w`;
    await planRun(pool, boss, manifest(run), storedTargets(targets()), LEASE);
    log(`${workers} worker(s), ${TARGETS} targets in chunks of ${CHUNK}`);
    const started = performance.now();
    const each = await Promise.all(Array.from({ length: workers }, () => startWorker().done));
    const seconds = (performance.now() - started) / 1000;
    const perSecond = TARGETS / seconds;
    scaling.push({
      workers,
      seconds,
      perSecond,
      ratio: perSecond / (scaling[0]?.perSecond ?? perSecond),
      exact: await exact(run),
      each,
    });
  }

  // recovery: two workers, one killed with kill -9 while it holds a chunk
  {
    const run = "bench-recovery";
    await planRun(pool, boss, manifest(run), storedTargets(targets()), LEASE);
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
      [`bench-${WORKER_COUNTS[0]}w`],
    )
  ).rows[0] as { json: string; bare: string; table: string };
  const bytes = {
    json: Number(sizes.json),
    withoutTranscript: Number(sizes.bare),
    tableAll: Number(sizes.table),
  };

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
  };
  const outDir = join(repo, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "distributed-latest.json"), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(join(outDir, "distributed-latest.md"), render(report));
  process.stdout.write(render(report));
} finally {
  await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
  await pool.end();
  await database.stop();
  smtp.kill("SIGTERM");
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
}): string {
  const lines = [
    "# smtpsurvey distributed benchmark",
    "",
    `${r.date} · ${r.cpus} CPU · ${r.targets.toLocaleString("en-US")} targets (the C server, replies at once) in chunks of ${r.chunk}, -c ${r.concurrency} per worker, lease ${r.lease} s`,
    "",
    "| workers | seconds | sessions/s | ratio to 1 | each worker (chunks, records, sessions/s) | count = distinct = planned |",
    "| ---: | ---: | ---: | ---: | --- | --- |",
    ...r.scaling.map(
      (s) =>
        `| ${s.workers} | ${s.seconds.toFixed(1)} | ${s.perSecond.toFixed(0)} | ${s.ratio.toFixed(2)} | ${s.each
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
    `Bytes per record: ${r.bytes.json.toFixed(0)} as JSON, ${r.bytes.withoutTranscript.toFixed(0)} without the transcript; ${r.bytes.tableAll.toFixed(0)} in the table with its primary-key index (every run's rows: the size ÷ their count). 10 M records: ${((r.bytes.tableAll * 10e6) / 1e9).toFixed(1)} GB.`,
    "",
  ];
  return lines.join("\n");
}
