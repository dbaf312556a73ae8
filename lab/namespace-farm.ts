/**
 * A loopback server farm in a private network namespace, surveyed twice: by one machine, and by
 * `survey --engine` with three `smtpsurvey worker` processes, one of them killed with kill -9
 * mid-run. Runs INSIDE the namespace (test/distributed/namespace-farm.test.ts starts it as
 * `unshare --net node dist/lab/namespace-farm.js`; the namespace, with its farm and its
 * PostgreSQL, goes away with its last process). Prints one JSON line (FarmReport) on stdout.
 *
 * The farm: the benchmark's C epoll server (bench/c/smtp-server.c) on 0.0.0.0, so that every
 * 127.x address answers: port 25 at once, port 2525 holding each reply 30 ms (sessions overlap,
 * and the kill finds chunks in flight). Nothing leaves the namespace: it has only `lo`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
// the benchmark's C server is the farm: one process answers every 127.x address
import { buildC } from "../bench/c-build.js";
import { queueName } from "../src/distributed/queue.js";
import { startPostgres } from "./postgres.js";
import { timeless } from "./record-compare.js";

export interface FarmReport {
  /** addresses × ports planned */
  planned: number;
  /** (ip, port, status) of the one-machine run, sorted */
  alone: string[];
  distributed: string[];
  /** records whose text differs once times are set aside */
  differing: number;
  /** the first of them: its (ip, port) and the top-level fields that differ */
  firstDifference: { key: string; fields: string[]; alone: unknown; distributed: unknown } | null;
  sameTargets: boolean;
  /** in PostgreSQL: count(*), count(distinct (ip, port)), chunks done, chunks planned, targets stored */
  counts: { records: number; distinct: number; chunksDone: number; chunks: number; stored: number };
  /** the killed worker's exit signal, and whether it held a chunk that was done again */
  killed: { signal: string | null; redone: boolean };
}

const repo = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(repo, "bin", "smtpsurvey.js");
const CIDR = "127.9.0.0/23";
const SAMPLE = "300";

const links = execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).trim().split("\n");
if (links.length !== 1 || !links[0]?.includes(" lo:"))
  throw new Error("run as `unshare --net node dist/lab/namespace-farm.js`: it needs a namespace of its own");
execFileSync("ip", ["link", "set", "lo", "up"]);

const serverBinary = buildC(repo, "smtp-server");
if (!serverBinary) throw new Error("the C server cannot be built (gcc: apt-get install build-essential)");
const servers = [
  spawn(serverBinary, ["--port", "25", "--host", "0.0.0.0"], { stdio: "ignore" }),
  spawn(serverBinary, ["--port", "2525", "--host", "0.0.0.0", "--delay-ms", "30"], { stdio: "ignore" }),
];
const work = mkdtempSync(join(tmpdir(), "smtpsurvey-farm-"));
const database = await startPostgres();

function cli(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null }>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "inherit"] });
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, done };
}

async function ok(args: string[]): Promise<void> {
  const { code, signal } = await cli(args).done;
  if (code !== 0) throw new Error(`smtpsurvey ${args[0]} exited ${code ?? signal}`);
}

const lines = (dir: string) => readFileSync(join(dir, "records.jsonl"), "utf8").trim().split("\n");

function keys(dir: string): string[] {
  return lines(dir)
    .map((line) => {
      const r = JSON.parse(line) as { ip: string; port: number; status: string };
      return `${r.ip}:${r.port} ${r.status}`;
    })
    .sort();
}

try {
  const common = [
    "survey",
    CIDR,
    "--sample",
    SAMPLE,
    "--seed",
    "farm",
    "-p",
    "25,2525",
    "--scope",
    "127.0.0.0/8",
    "--ehlo",
    "farm.invalid",
    "--per-ip-rate",
    "0",
    "-q",
  ];
  const alone = join(work, "alone");
  await ok([...common, "-o", alone]);

  const shared = join(work, "shared");
  const coordinator = cli([
    ...common,
    "-o",
    shared,
    "--engine",
    database.url,
    "--chunk-targets",
    "20",
    "--lease",
    "4",
  ]);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // planned by then
  const worker = () =>
    cli(["worker", "--engine", database.url, "--scope", "127.0.0.0/8", "--exit-when-idle", "-q"]);
  const workers = [worker(), worker(), worker()];
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const victim = workers[0] as ReturnType<typeof worker>;
  victim.child.kill("SIGKILL");
  const killed = await victim.done;
  for (const w of workers.slice(1)) {
    const { code } = await w.done;
    if (code !== 0) throw new Error(`a worker exited ${code}`);
  }
  const finished = await coordinator.done;
  if (finished.code !== 0) throw new Error(`the coordinator exited ${finished.code ?? finished.signal}`);

  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const runId = (await db.query("SELECT run_id FROM smtpsurvey.runs")).rows[0]?.run_id as string;
  const { rows } = await db.query(
    `SELECT (SELECT count(*)::int FROM smtpsurvey.records r WHERE r.run_id = runs.run_id) AS records,
            (SELECT count(DISTINCT (ip, port))::int FROM smtpsurvey.records r WHERE r.run_id = runs.run_id) AS distinct,
            (SELECT count(*)::int FROM smtpsurvey.chunks c WHERE c.run_id = runs.run_id) AS "chunksDone",
            chunks,
            (SELECT count(*)::int FROM smtpsurvey.targets t WHERE t.run_id = runs.run_id) AS stored,
            (SELECT count(*)::int FROM pgboss.job j WHERE j.name = $1 AND j.retry_count > 0) AS redone
       FROM smtpsurvey.runs`,
    [queueName(runId)],
  );
  await db.end();
  const row = rows[0] as FarmReport["counts"] & { redone: number };
  const theirs = new Set(lines(shared).map(timeless));
  const byKey = new Map(
    lines(shared).map((line) => {
      const r = JSON.parse(timeless(line)) as Record<string, unknown>;
      return [`${r.ip}:${r.port}`, r] as const;
    }),
  );
  const first = lines(alone)
    .map(timeless)
    .find((line) => !theirs.has(line));
  let firstDifference: FarmReport["firstDifference"] = null;
  if (first) {
    const mine = JSON.parse(first) as Record<string, unknown>;
    const other = byKey.get(`${mine.ip}:${mine.port}`) ?? {};
    firstDifference = {
      key: `${mine.ip}:${mine.port}`,
      fields: Object.keys(mine).filter((k) => JSON.stringify(mine[k]) !== JSON.stringify(other[k])),
      alone: { smtp: mine.smtp, transcript: mine.transcript },
      distributed: { smtp: other.smtp, transcript: other.transcript },
    };
  }
  const report: FarmReport = {
    planned: Number(SAMPLE) * 2,
    alone: keys(alone),
    distributed: keys(shared),
    differing: lines(alone).filter((line) => !theirs.has(timeless(line))).length,
    firstDifference,
    sameTargets:
      readFileSync(join(alone, "targets.jsonl"), "utf8") ===
      readFileSync(join(shared, "targets.jsonl"), "utf8"),
    counts: {
      records: row.records,
      distinct: row.distinct,
      chunksDone: row.chunksDone,
      chunks: row.chunks,
      stored: row.stored,
    },
    killed: { signal: killed.signal, redone: row.redone > 0 },
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await database.stop();
  for (const server of servers) server.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
