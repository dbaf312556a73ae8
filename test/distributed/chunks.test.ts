/**
 * Chunks through a real PostgreSQL (a private cluster, test/support/postgres.ts) and pg-boss:
 * every chunk is done once, every (ip, port) written once, whatever crashes in between. The grab
 * here is a stand-in that makes one record per target without a network, so that these tests
 * are about the queue and the commits only.
 */

import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { writeBatch } from "../../src/distributed/commit.js";
import { exportRecords } from "../../src/distributed/export-records.js";
import { rateShare } from "../../src/distributed/heartbeat.js";
import { enqueueChunks } from "../../src/distributed/queue.js";
import { createRun, runCounts } from "../../src/distributed/runs.js";
import { SCHEMA } from "../../src/distributed/schema.js";
import { workChunks } from "../../src/distributed/work-chunks.js";
import { blankRecord } from "../../src/protocols/blank-record.js";
import type { ScanRecord } from "../../src/store/schema.js";
import { type DistributedFixture, startDistributed } from "../support/distributed.js";

const PER_CHUNK = 50;
const LEASE_SECONDS = 2;

/** One record per target of the chunk: addresses 10.<chunk>.0.<i> (never connected to). */
async function fakeGrab(chunk: number, emit: (record: ScanRecord) => void): Promise<void> {
  for (let i = 0; i < PER_CHUNK; i++) {
    emit(
      blankRecord({
        ip: `10.${chunk}.0.${i}`,
        port: 25,
        protocol: "smtp",
        status: "ok",
        started_at: new Date().toISOString(),
      }),
    );
    if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("chunks on PostgreSQL and pg-boss", () => {
  let fixture: DistributedFixture;
  let pool: pg.Pool;
  const boss = () => fixture.boss();

  beforeAll(async () => {
    fixture = await startDistributed();
    pool = fixture.pool;
  });
  afterAll(() => fixture?.close());

  async function plan(run: string, chunks: number): Promise<void> {
    await createRun(pool, run, { test: true }, chunks, chunks * PER_CHUNK);
    const b = await boss();
    await enqueueChunks(b, run, chunks, LEASE_SECONDS);
    // enqueueing again (a coordinator resumed) adds nothing
    await enqueueChunks(b, run, chunks, LEASE_SECONDS);
  }

  it("does every chunk once with two workers, and enqueues idempotently", async () => {
    await plan("two-workers", 8);
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all(
      ["w1", "w2"].map(async (worker) =>
        workChunks({
          boss: await boss(),
          pool,
          run: "two-workers",
          worker,
          grab: fakeGrab,
          signal,
          exitWhenIdle: true,
          batchRecords: 20,
        }),
      ),
    );
    expect((a?.chunks ?? 0) + (b?.chunks ?? 0)).toBe(8);
    expect(await runCounts(pool, "two-workers")).toEqual({ records: 400, distinct: 400, chunksDone: 8 });
  }, 60_000);

  it("redoes a chunk whose worker crashed between a batch insert and the chunk's completion", async () => {
    await plan("crash", 3);
    const signal = new AbortController().signal;
    let crashed = 0;
    const crashing = workChunks({
      boss: await boss(),
      pool,
      run: "crash",
      worker: "crasher",
      grab: fakeGrab,
      signal,
      batchRecords: 20, // 40 of a chunk's 50 records are committed before the crash
      beforeCommit: (claim) => {
        crashed += 1;
        throw new Error(`crash before finishing chunk ${claim.chunk}`);
      },
    }).catch((error: Error) => error);
    expect(String(await crashing)).toMatch(/crash before finishing/);
    expect(crashed).toBe(1);
    const partial = await runCounts(pool, "crash");
    expect(partial.chunksDone).toBe(0);
    expect(partial.records).toBe(40);
    // the crashed worker's lease runs out; another worker does all three
    const stats = await workChunks({
      boss: await boss(),
      pool,
      run: "crash",
      worker: "w",
      grab: fakeGrab,
      signal,
      exitWhenIdle: true,
    });
    expect(stats.chunks).toBe(3);
    expect(await runCounts(pool, "crash")).toEqual({ records: 150, distinct: 150, chunksDone: 3 });
  }, 60_000);

  it("writes nothing twice when two workers hold the same chunk after a lease expired", async () => {
    await plan("shared", 1);
    const signal = new AbortController().signal;
    let stalls = 0;
    // the first worker stalls past its lease right after claiming; the second then gets the chunk
    const slow = workChunks({
      boss: await boss(),
      pool,
      run: "shared",
      worker: "slow",
      grab: fakeGrab,
      signal,
      exitWhenIdle: true,
      afterClaim: async () => {
        if (stalls++ === 0) await new Promise((resolve) => setTimeout(resolve, (LEASE_SECONDS + 3) * 1000));
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fast = await workChunks({
      boss: await boss(),
      pool,
      run: "shared",
      worker: "fast",
      grab: fakeGrab,
      signal,
      exitWhenIdle: true,
    });
    const late = await slow;
    expect(fast.chunks).toBe(1);
    expect(late.chunks).toBe(1); // it finished too, and inserted nothing new
    expect(await runCounts(pool, "shared")).toEqual({ records: 50, distinct: 50, chunksDone: 1 });
  }, 60_000);

  it("keeps a slow chunk with its live worker past the lease: nobody else grabs it", async () => {
    await plan("slow-chunk", 1);
    const signal = new AbortController().signal;
    let grabs = 0;
    // a grab three leases long, its worker alive all along (renewing the lease)
    const slowGrab = async (chunk: number, emit: (record: ScanRecord) => void) => {
      grabs += 1;
      await new Promise((resolve) => setTimeout(resolve, LEASE_SECONDS * 3 * 1000));
      await fakeGrab(chunk, emit);
    };
    const patient = workChunks({
      boss: await boss(),
      pool,
      run: "slow-chunk",
      worker: "patient",
      grab: slowGrab,
      signal,
      exitWhenIdle: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // another worker keeps asking for work while the chunk is held (pg-boss looks for expired
    // leases every second here): it must find none
    const other = await workChunks({
      boss: await boss(),
      pool,
      run: "slow-chunk",
      worker: "other",
      grab: slowGrab,
      signal,
      exitWhenIdle: true,
    });
    expect((await patient).chunks).toBe(1);
    expect(other.chunks).toBe(0);
    expect(grabs).toBe(1);
    expect(await runCounts(pool, "slow-chunk")).toEqual({ records: 50, distinct: 50, chunksDone: 1 });
  }, 60_000);

  it("shares --rate and --per-prefix-rate among the live workers, and caps by --max-rate", async () => {
    await createRun(pool, "polite", { test: true }, 1, 1);
    const beat = (worker: string, ago: number) =>
      pool.query(
        `INSERT INTO ${SCHEMA}.workers (worker_id, run_id, host, pid, heartbeat_at)
         VALUES ($1, 'polite', 'test', 1, now() - make_interval(secs => $2))`,
        [worker, ago],
      );
    await beat("a", 0);
    const totals = { rate: 100, perPrefixRate: 20 };
    expect(await rateShare(pool, "polite", totals, 0)).toEqual({ rate: 100, perPrefixRate: 20 });
    await beat("b", 1);
    await beat("dead", 60); // no heartbeat for a minute: no longer counted
    expect(await rateShare(pool, "polite", totals, 0)).toEqual({ rate: 50, perPrefixRate: 10 });
    expect(await rateShare(pool, "polite", totals, 30)).toEqual({ rate: 30, perPrefixRate: 10 });
    expect(await rateShare(pool, "polite", { rate: 0, perPrefixRate: 0 }, 7)).toEqual({
      rate: 7,
      perPrefixRate: 0,
    });
  });

  it("exports every record once, in pages, whatever the addresses' text order", async () => {
    await createRun(pool, "export", { test: true }, 2, 30);
    // .9 sorts after .10 as text, before it as inet: pages of 7 cross that boundary
    const ips = Array.from({ length: 15 }, (_, i) => `127.77.230.${i + 1}`);
    const client = await pool.connect();
    try {
      for (const [chunk, some] of [ips.slice(0, 8), ips.slice(8)].entries()) {
        const batch = some.flatMap((ip) =>
          [25, 587].map((port) =>
            blankRecord({ ip, port, protocol: "smtp", status: "ok", started_at: new Date().toISOString() }),
          ),
        );
        await writeBatch(client, { run: "export", chunk, jobId: "" }, batch);
      }
    } finally {
      client.release();
    }
    const path = join(tmpdir(), `smtpsurvey-export-${process.pid}.jsonl`);
    onTestFinished(() => rmSync(path, { force: true }));
    for (const page of [7, 1, 5000]) {
      const stats = await exportRecords(pool, "export", path, page);
      const lines = readFileSync(path, "utf8").trim().split("\n");
      expect(stats.jobs, `page ${page}`).toBe(30);
      expect(lines).toHaveLength(30);
      expect(
        new Set(
          lines.map((l) => {
            const r = JSON.parse(l) as { ip: string; port: number };
            return `${r.ip}:${r.port}`;
          }),
        ).size,
      ).toBe(30);
    }
  });
});
