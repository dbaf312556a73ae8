/**
 * The one-machine engine on chunks: a run planned into PostgreSQL (addresses as a space
 * descriptor, zgrab2 rows as stored targets), three workers grabbing its chunks from loopback
 * servers, and the same (ip, port, status) set as one machine's grab of the same targets. A
 * worker whose own --scope does not cover a chunk gives it back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Scope } from "../../src/core/scope.js";
import type { Target } from "../../src/core/target.js";
import { grabChunk, OutsideOwnScope } from "../../src/distributed/grab-chunk.js";
import { newManifest, type RunManifest } from "../../src/distributed/manifest.js";
import { loadManifest, type PlanTargets, planRun, storedTargets } from "../../src/distributed/plan-run.js";
import { SCHEMA } from "../../src/distributed/schema.js";
import { workChunks } from "../../src/distributed/work-chunks.js";
import { protocolNamed } from "../../src/protocols/registry.js";
import { runScan } from "../../src/scan/engine.js";
import type { ScanRecord } from "../../src/store/schema.js";
import { engineOptions } from "../../src/survey/engine-recipe.js";
import { jobsForTarget } from "../../src/survey/grab-stage.js";
import { planTargets } from "../../src/targets/plan.js";
import { type HostileServer, startHostile } from "../hostile/servers.js";
import { type DistributedFixture, startDistributed } from "../support/distributed.js";

const PORT = 2526;
const CLOSED = 2527;
const IPS = Array.from({ length: 12 }, (_, i) => `127.77.247.${i + 1}`);

function manifest(run: string): RunManifest {
  return newManifest({
    run,
    recipe: {
      scope: "127.77.247.0/24",
      limits: {
        concurrency: 20,
        rate: 0,
        perIpConcurrency: 2,
        perIpRate: 0,
        connectTimeoutMs: 3000,
        sessionTimeoutMs: 30_000,
        transcripts: true,
      },
      protocol: { ehloName: "chunks.test", starttls: "auto", replyTimeoutMs: 3000, probes: [] },
      identify: false,
    },
    ports: [
      { port: PORT, protocol: "smtp" },
      { port: CLOSED, protocol: "smtp" },
    ],
    chunkTargets: 3,
    targets: { test: true },
  });
}

async function* targets(): AsyncGenerator<Target> {
  for (const ip of IPS) yield { ip };
}

/**
 * The first nine addresses as the command line gives them (the plan's address space: chunks
 * that are index ranges, no target stored), the last three as zgrab2 rows (stored targets).
 */
async function mixedPlan(dir: string): Promise<{ plan: PlanTargets; all: Target[] }> {
  const zgrab2 = join(dir, "rows.csv");
  writeFileSync(
    zgrab2,
    `${IPS.slice(9)
      .map((ip) => `${ip},,smtp`)
      .join("\n")}\n`,
  );
  const options = {
    args: IPS.slice(0, 9),
    inputs: [zgrab2],
    countries: [],
    asns: [],
    excludes: [],
    scope: Scope.parse("127.77.247.0/24"),
  };
  const all: Target[] = [];
  for await (const target of (await planTargets(options)).stream()) all.push(target);
  const planned = await planTargets(options);
  const parts = planned.parts();
  return {
    plan: { space: planned.spaceDescriptor(), spaceTargets: parts.space, singles: parts.singles },
    all,
  };
}

const key = (r: { ip: string; port: number; status: string }) => `${r.ip}:${r.port} ${r.status}`;

describe("the engine on chunks from PostgreSQL", () => {
  let fixture: DistributedFixture;
  let pool: pg.Pool;
  const farm: HostileServer[] = [];
  const boss = () => fixture.boss();

  beforeAll(async () => {
    for (const ip of IPS) farm.push(await startHostile("polite", { ip, port: PORT }));
    fixture = await startDistributed();
    pool = fixture.pool;
  });
  afterAll(async () => {
    await fixture?.close();
    for (const s of farm) await s.close();
  });

  it("three workers write what one machine's grab writes, each (ip, port) once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-chunks-"));
    const { plan, all } = await mixedPlan(dir);
    expect(all.map((t) => t.ip)).toEqual(IPS);
    const planned = await planRun(pool, await boss(), manifest("farm"), plan, 30);
    // nine addresses in three space chunks, three rows in one chunk of their own
    expect(planned).toEqual({ targets: 12, chunks: 4 });
    const { rows: kept } = await pool.query(
      `SELECT count(*)::int AS n, min(chunk) AS first FROM ${SCHEMA}.targets WHERE run_id = 'farm'`,
    );
    expect(kept[0]).toEqual({ n: 3, first: 3 });
    // planned again (a resumed coordinator): nothing added
    expect(await planRun(pool, await boss(), manifest("farm"), (await mixedPlan(dir)).plan, 30)).toEqual(
      planned,
    );
    rmSync(dir, { recursive: true, force: true });
    const stored = await loadManifest(pool, "farm");
    if (!stored) throw new Error("no manifest");
    const signal = new AbortController().signal;
    const engine = { manifest: stored, ownScope: Scope.parse("127.77.247.0/24") };
    const stats = await Promise.all(
      ["w1", "w2", "w3"].map(async (worker) =>
        workChunks({
          boss: await boss(),
          pool,
          run: "farm",
          worker,
          grab: (chunk, emit, s) => grabChunk(pool, engine, chunk, emit, s),
          signal,
          exitWhenIdle: true,
          batchRecords: 2,
        }),
      ),
    );
    expect(stats.reduce((n, s) => n + s.chunks, 0)).toBe(4);
    const { rows } = await pool.query(
      `SELECT host(ip) AS ip, port, status FROM ${SCHEMA}.records WHERE run_id = 'farm'`,
    );
    const distributed = (rows as Array<{ ip: string; port: number; status: string }>).map(key).sort();

    const alone: ScanRecord[] = [];
    const jobs = all.flatMap((target) => jobsForTarget(target, stored.ports));
    await runScan(
      (async function* () {
        yield* jobs;
      })(),
      protocolNamed,
      engineOptions(stored.recipe, undefined, signal),
      (r) => {
        alone.push(r);
      },
    );
    expect(distributed).toEqual(alone.map(key).sort());
    expect(distributed).toHaveLength(24);
    expect(distributed.filter((k) => k.endsWith(" ok"))).toHaveLength(12);
  }, 120_000);

  it("gives back a chunk outside the worker's own --scope, and grabs nothing of it", async () => {
    await planRun(
      pool,
      await boss(),
      { ...manifest("narrow"), chunkTargets: 12 },
      storedTargets(targets()),
      30,
    );
    const stored = await loadManifest(pool, "narrow");
    if (!stored) throw new Error("no manifest");
    const engine = { manifest: stored, ownScope: Scope.parse("127.77.247.0/29") };
    const before = farm.reduce((n, s) => n + s.accepted(), 0);
    const grabbed = workChunks({
      boss: await boss(),
      pool,
      run: "narrow",
      worker: "narrow",
      grab: (chunk, emit, s) => grabChunk(pool, engine, chunk, emit, s),
      signal: new AbortController().signal,
      exitWhenIdle: true,
    });
    await expect(grabbed).rejects.toBeInstanceOf(OutsideOwnScope);
    expect(farm.reduce((n, s) => n + s.accepted(), 0)).toBe(before);
    // given back at once (the lease is 30 s): a worker allowed the whole /24 does it now
    const wide = await workChunks({
      boss: await boss(),
      pool,
      run: "narrow",
      worker: "wide",
      grab: (chunk, emit, s) =>
        grabChunk(pool, { manifest: stored, ownScope: Scope.parse("127.77.247.0/24") }, chunk, emit, s),
      signal: new AbortController().signal,
      exitWhenIdle: true,
    });
    expect(wide.chunks).toBe(1);
  }, 60_000);
});
