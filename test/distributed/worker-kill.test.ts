/**
 * `smtpsurvey worker` as a process: kill -9 mid-chunk loses the chunk only until its lease
 * runs out; another worker then redoes it, and nothing is written twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Target } from "../../src/core/target.js";
import { newManifest, type RunManifest } from "../../src/distributed/manifest.js";
import { planRun, storedTargets } from "../../src/distributed/plan-run.js";
import { runCounts } from "../../src/distributed/runs.js";
import { runCli, startCli } from "../support/cli.js";
import { type DistributedFixture, startDistributed } from "../support/distributed.js";
import { type FakeSmtp, startFakeSmtp } from "../support/fake-smtp.js";

const HOSTS = 16;

describe("smtpsurvey worker, killed", () => {
  let fixture: DistributedFixture;
  let pool: pg.Pool;
  let boss: PgBoss;
  let server: { url: string };
  const farm: FakeSmtp[] = [];

  beforeAll(async () => {
    for (let i = 1; i <= HOSTS; i++)
      farm.push(await startFakeSmtp(`127.77.248.${i}`, { ports: 1, bannerDelayMs: 400 }));
    fixture = await startDistributed();
    ({ pool, server } = fixture);
    boss = await fixture.boss();
  });
  afterAll(async () => {
    await fixture?.close();
    for (const f of farm) await f.close();
  });

  /** `lease`: each chunk's, set when it is queued (the coordinator's --lease) */
  const plan = (manifest: RunManifest, lease = 3) =>
    planRun(
      pool,
      boss,
      manifest,
      storedTargets(
        (async function* () {
          yield* farm.map((f): Target => ({ ip: f.ip, port: f.ports[0] as number }));
        })(),
      ),
      lease,
    );

  it("kill -9 mid-chunk: the chunk is redone after its lease, every (ip, port) once", async () => {
    await plan(slowManifest("killed"));
    const url = server.url;
    const victim = startCli(["worker", "--engine", url, "--scope", "127.77.248.0/24"]);
    // its first chunk done, a second under way (8 sessions of 0.4 s each, one at a time): kill it
    for (let i = 0; i < 300 && (await runCounts(pool, "killed")).chunksDone < 1; i++) await sleep(100);
    await sleep(1000);
    expect(await runCounts(pool, "killed")).toEqual({ records: 8, distinct: 8, chunksDone: 1 });
    victim.child.kill("SIGKILL");
    const killed = await victim.done;
    expect(killed.signal).toBe("SIGKILL");
    const rescuer = await runCli([
      "worker",
      "--engine",
      url,
      "--scope",
      "127.77.248.0/24",
      "--exit-when-idle",
      "--run",
      "killed",
    ]);
    expect(rescuer.code, rescuer.stderr).toBe(0);
    expect(await runCounts(pool, "killed")).toEqual({ records: HOSTS, distinct: HOSTS, chunksDone: 2 });
  }, 120_000);

  it("SIGTERM mid-chunk: the sessions in flight end, the chunk goes back at once, the worker exits 0", async () => {
    // a 600 s lease: the chunk can only be redone soon if it was given back
    await plan(slowManifest("termed"), 600);
    const url = server.url;
    const args = ["worker", "--engine", url, "--scope", "127.77.248.0/24", "--run", "termed"];
    const stopped = startCli(args);
    for (let i = 0; i < 300 && (await runCounts(pool, "termed")).chunksDone < 1; i++) await sleep(100);
    await sleep(1000);
    stopped.child.kill("SIGTERM");
    const done = await stopped.done;
    expect(done.code, done.stderr).toBe(0);
    const began = Date.now();
    const rescuer = await runCli([...args, "--exit-when-idle"]);
    expect(rescuer.code, rescuer.stderr).toBe(0);
    expect(Date.now() - began).toBeLessThan(60_000);
    expect(await runCounts(pool, "termed")).toEqual({ records: HOSTS, distinct: HOSTS, chunksDone: 2 });
  }, 180_000);
});

/** One session at a time against servers that wait 0.4 s before their banner: a chunk takes ~3 s. */
function slowManifest(run: string): RunManifest {
  return newManifest({
    run,
    recipe: {
      scope: "127.77.248.0/24",
      limits: {
        concurrency: 1,
        rate: 0,
        perIpConcurrency: 1,
        perIpRate: 0,
        connectTimeoutMs: 3000,
        sessionTimeoutMs: 30_000,
        transcripts: true,
      },
      protocol: { ehloName: "kill.test", starttls: "never", replyTimeoutMs: 3000, probes: [] },
      identify: false,
    },
    ports: [],
    chunkTargets: 8,
    targets: { test: true },
  });
}
