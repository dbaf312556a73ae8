/**
 * -w/--workers: engine threads on disjoint shares of the targets. The rules of one engine hold
 * across them: one record per (ip, port), records as complete as with one engine, per-IP caps
 * (an address belongs to one worker), and --resume after kill -9 is exact.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownerOf } from "../../src/survey/worker-pool.js";
import { runCli, startCli } from "../support/cli.js";
import { type FakeSmtp, startFakeSmtp } from "../support/fake-smtp.js";

type Line = { ip: string; port: number; status: string; [field: string]: unknown };

function readRecords(path: string): Line[] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Line);
  } catch {
    return [];
  }
}

/** A record without what differs from run to run (times). */
function timeless(record: Line): unknown {
  const { started_at: _s, duration_ms: _d, transcript, ...rest } = record;
  return { ...rest, transcript: (transcript as Array<{ t: number }>).map(({ t: _t, ...entry }) => entry) };
}

describe("engine workers", () => {
  const fakes: FakeSmtp[] = [];
  beforeAll(async () => {
    for (let i = 1; i <= 4; i++)
      fakes.push(await startFakeSmtp(`127.77.244.${i}`, { ports: 12, bannerDelayMs: 60 }));
  });
  afterAll(async () => {
    for (const fake of fakes) await fake.close();
  });

  const targetsFile = () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-workers-"));
    const targets = join(dir, "targets.txt");
    writeFileSync(targets, `${fakes.map((f) => f.ip).join("\n")}\n`);
    return { dir, targets };
  };
  // each fake listens on ports of its own: every address is grabbed on all of them (refused
  // where its fake does not listen), so each run has addresses × ports records
  const allPorts = () => [...new Set(fakes.flatMap((f) => f.ports))];
  const expectedKeys = () => fakes.flatMap((f) => allPorts().map((p) => `${f.ip}:${p}`)).sort();
  const grabArgs = (targets: string, out: string) => [
    "grab",
    "-i",
    targets,
    "-p",
    allPorts().join(","),
    "--scope",
    "127.77.244.0/24",
    "-o",
    out,
    "--ehlo",
    "workers.smtpsurvey.test",
    "--per-ip-rate",
    "0",
    "--quiet",
  ];

  it("gives every address to one worker, and spreads addresses over all of them", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const ip = `10.0.${i >> 8}.${i & 255}`;
      expect(ownerOf(ip, 3)).toBe(ownerOf(ip, 3));
      counts[ownerOf(ip, 3)] = (counts[ownerOf(ip, 3)] as number) + 1;
    }
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });

  it("with --per-prefix-rate gives every address of a prefix to one worker, and spreads prefixes", () => {
    const counts = [0, 0, 0];
    for (let net = 0; net < 300; net++) {
      const owner = ownerOf(`10.${net >> 8}.${net & 255}.1`, 3, 24);
      for (const host of [2, 77, 254])
        expect(ownerOf(`10.${net >> 8}.${net & 255}.${host}`, 3, 24)).toBe(owner);
      counts[owner] = (counts[owner] as number) + 1;
    }
    for (const n of counts) expect(n).toBeGreaterThan(70);
  });

  it("writes the same records with 3 workers as with 1, once each, and holds --per-ip across workers", async () => {
    const { dir, targets } = targetsFile();
    const one = join(dir, "one.jsonl");
    const three = join(dir, "three.jsonl");
    const single = await runCli([...grabArgs(targets, one), "-w", "1", "-c", "16", "--per-ip", "2"]);
    expect(single.code).toBe(0);
    for (const fake of fakes) fake.peakConcurrent = 0;
    const pooled = await runCli([...grabArgs(targets, three), "-w", "3", "-c", "24", "--per-ip", "2"]);
    expect(pooled.code).toBe(0);
    const a = readRecords(one);
    const b = readRecords(three);
    const key = (r: Line) => `${r.ip}:${r.port}`;
    expect(b.map(key).sort()).toEqual(expectedKeys());
    expect(b.filter((r) => r.status === "ok")).toHaveLength(fakes.length * 12);
    expect(new Set(b.map(key)).size).toBe(b.length);
    const byKey = new Map(a.map((r) => [key(r), timeless(r)]));
    for (const record of b) expect(timeless(record)).toEqual(byKey.get(key(record)));
    for (const fake of fakes) expect(fake.peakConcurrent).toBeLessThanOrEqual(2);
  });

  it("--resume after kill -9 of a grab with workers loses nothing and duplicates nothing", async () => {
    const { dir, targets } = targetsFile();
    const out = join(dir, "out.jsonl");
    const args = [...grabArgs(targets, out), "-w", "2", "-c", "8", "--per-ip", "2"];
    const first = startCli(args);
    for (let i = 0; i < 200 && readRecords(out).length < 10; i++) await sleep(25);
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    const before = readRecords(out).length;
    expect(before).toBeGreaterThan(0);
    appendFileSync(out, '{"schema":1,"ip":"127.77.244.1","po');
    const second = await runCli([...args, "--resume"]);
    expect(second.code).toBe(0);
    const keys = readRecords(out).map((r) => `${r.ip}:${r.port}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(expectedKeys());
  });
});
