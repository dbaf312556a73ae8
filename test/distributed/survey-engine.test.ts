/**
 * `survey --engine`: the coordinator plans the run into PostgreSQL, three `smtpsurvey worker`
 * processes grab its chunks, and the run directory comes out as a one-machine survey's, record
 * for record (times aside). Killed with kill -9, the coordinator is started again with --resume
 * and re-attaches to the same run.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../../lab/postgres.js";
import { type HostileServer, startHostile } from "../hostile/servers.js";
import { runCli, startCli } from "../support/cli.js";

const PORT = 2528;
const SUBNET = "127.77.249";
const HOSTS = 12;

type Line = { ip: string; port: number; [field: string]: unknown };

/**
 * Records by (ip, port): status, banner, EHLO and TLS. Not the whole record: what a server says
 * after EHLO can differ between two runs of the same server (this one's QUIT reply is sometimes
 * cut by its close), and identification and the probes it asks for follow from it.
 */
function records(dir: string): Map<string, unknown> {
  const lines = readFileSync(join(dir, "records.jsonl"), "utf8").trim().split("\n");
  const out = new Map<string, unknown>();
  for (const line of lines) {
    const r = JSON.parse(line) as Line & {
      status: string;
      smtp: { banner: string; ehlo: string[] } | null;
      tls: { version: string } | null;
    };
    out.set(`${r.ip}:${r.port}`, {
      status: r.status,
      banner: r.smtp?.banner ?? null,
      ehlo: r.smtp?.ehlo ?? null,
      tls: r.tls?.version ?? null,
    });
  }
  return out;
}

/** The exported file against the run directory's: the very same lines, in another order. */
function sameLines(a: string, b: string): void {
  const sorted = (path: string) => readFileSync(path, "utf8").trim().split("\n").sort();
  expect(sorted(a)).toEqual(sorted(b));
}

describe("survey --engine", () => {
  let server: TestPostgres;
  const farm: HostileServer[] = [];
  const work = mkdtempSync(join(tmpdir(), "smtpsurvey-engine-"));
  const common = [
    `${SUBNET}.0/28`,
    "-p",
    String(PORT),
    "--scope",
    `${SUBNET}.0/24`,
    "-q",
    "-t",
    "10",
    "--ehlo",
    "engine.test",
  ];

  beforeAll(async () => {
    for (let i = 1; i <= HOSTS; i++)
      farm.push(await startHostile("polite", { ip: `${SUBNET}.${i}`, port: PORT }));
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
    for (const s of farm) await s.close();
  });

  const worker = () =>
    runCli(["worker", "--engine", server.url, "--scope", `${SUBNET}.0/24`, "--exit-when-idle", "-q"]);

  it("with 3 workers writes the run directory a one-machine survey writes", async () => {
    const alone = join(work, "alone");
    const one = await runCli(["survey", ...common, "-o", alone]);
    expect(one.code, one.stderr).toBe(0);

    const shared = join(work, "shared");
    const coordinator = startCli([
      "survey",
      ...common,
      "-o",
      shared,
      "--engine",
      server.url,
      "--chunk-targets",
      "4",
    ]);
    await sleep(1500);
    const workers = await Promise.all([worker(), worker(), worker()]);
    for (const w of workers) expect(w.code, w.stderr).toBe(0);
    const done = await coordinator.done;
    expect(done.code, done.stderr).toBe(0);
    expect(records(shared)).toEqual(records(alone));
    // every (ip, port) once: records() keys by them, so count the lines too
    const lineCount = (dir: string) =>
      readFileSync(join(dir, "records.jsonl"), "utf8").trim().split("\n").length;
    expect(lineCount(shared)).toBe(16);
    expect(lineCount(alone)).toBe(16);
    expect(readFileSync(join(shared, "targets.jsonl"), "utf8")).toBe(
      readFileSync(join(alone, "targets.jsonl"), "utf8"),
    );
    for (const file of ["report.html", "run.json"]) expect(existsSync(join(shared, file)), file).toBe(true);

    // status and export say the same of the run
    const status = await runCli(["status", "--engine", server.url, "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const runs = JSON.parse(status.stdout) as Array<{
      run: string;
      chunks: number;
      chunksDone: number;
      records: number;
    }>;
    const run = runs.find((r) => r.run.startsWith("shared-"));
    expect(run).toMatchObject({ chunks: 4, chunksDone: 4, records: 16 });
    // a CIDR is planned as a space descriptor: its chunks are index ranges, no target is stored
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT (SELECT count(*)::int FROM smtpsurvey.targets WHERE run_id = $1) AS stored,
                space IS NOT NULL AS described, space_chunks FROM smtpsurvey.runs WHERE run_id = $1`,
        [run?.run],
      );
      expect(rows[0]).toEqual({ stored: 0, described: true, space_chunks: 4 });
    } finally {
      await db.end();
    }
    const exported = join(work, "exported", "records.jsonl");
    const exportTo = () => runCli(["export", "--engine", server.url, run?.run ?? "", "-o", exported, "-q"]);
    const out = await exportTo();
    expect(out.code, out.stderr).toBe(1); // no such directory yet: one clear line, nothing written
    expect(existsSync(exported)).toBe(false);
    mkdirSync(join(work, "exported"));
    const again = await exportTo();
    expect(again.code, again.stderr).toBe(0);
    sameLines(exported, join(shared, "records.jsonl"));
  }, 180_000);

  it("kill -9 of the coordinator, then --resume, finishes the same run", async () => {
    const dir = join(work, "resumed");
    const args = [
      "survey",
      ...common,
      "-o",
      dir,
      "--engine",
      server.url,
      "--chunk-targets",
      "4",
      "--lease",
      "5",
    ];
    const first = startCli(args);
    await sleep(2500); // planned by now: its run is in the database
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    for (const w of await Promise.all([worker(), worker()])) expect(w.code, w.stderr).toBe(0);
    const again = await runCli([...args, "--resume"]);
    expect(again.code, again.stderr).toBe(0);
    expect(records(dir)).toEqual(records(join(work, "alone")));
  }, 180_000);
});
