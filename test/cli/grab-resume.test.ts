/**
 * kill -9 in the middle of a grab, then --resume: every (ip, port) ends with exactly one record.
 * A half-written line left at the end of the file by the kill must be cut off on resume.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli } from "../support/cli.js";
import { type FakeSmtp, startFakeSmtp } from "../support/fake-smtp.js";

describe("grab --resume after kill -9", () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp("127.77.243.1", { ports: 120, bannerDelayMs: 150 });
  });
  afterAll(() => fake.close());

  it("loses nothing and duplicates nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-resume-"));
    const out = join(dir, "out.jsonl");
    const targets = join(dir, "targets.txt");
    writeFileSync(targets, "127.77.243.1\n127.77.243.1\n");
    const args = ["grab", "-i", targets, "-p", fake.ports.join(","), "--scope", "127.77.243.0/24", "-o", out];
    const args2 = [...args, "-c", "8", "--per-ip", "8", "--per-ip-rate", "0", "--quiet"];

    const first = startCli(args2);
    // Wait until some records are committed, then kill without warning.
    for (let i = 0; i < 100 && readLines(out).length < 20; i++) await sleep(50);
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    const before = readLines(out).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(fake.ports.length);
    appendFileSync(out, '{"schema":1,"ip":"127.77.243.1","po');

    const second = await startCli([...args2, "--resume"]).done;
    expect(second.code).toBe(0);
    const records = readLines(out).map(
      (line) => JSON.parse(line) as { ip: string; port: number; status: string },
    );
    const keys = records.map((r) => `${r.ip}:${r.port}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(fake.ports.map((p) => `127.77.243.1:${p}`).sort());
    expect(records.every((r) => r.status === "ok")).toBe(true);
  });
});

function readLines(path: string): string[] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l.length > 0);
  } catch {
    return [];
  }
}

describe("grab on SIGTERM", () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp("127.77.243.2", { ports: 60, bannerDelayMs: 300 });
  });
  afterAll(() => fake.close());

  it("stops opening, lets sessions in flight finish, flushes, and exits; --resume completes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-sigterm-"));
    const out = join(dir, "out.jsonl");
    const args = ["grab", fake.ip, "-p", fake.ports.join(","), "--scope", "127.77.243.0/24", "-o", out];
    const flags = ["-c", "5", "--per-ip", "5", "--per-ip-rate", "0"];
    const run = startCli([...args, ...flags]);
    for (let i = 0; i < 100 && fake.connections < 8; i++) await sleep(20);
    const openedAtSignal = fake.connections;
    run.child.kill("SIGTERM");
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/finishing the sessions in flight/);
    const lines = readLines(out);
    // The sessions in flight at the signal finished and were written; no new ones were opened.
    expect(fake.connections).toBeLessThanOrEqual(openedAtSignal + 5);
    expect(lines.length).toBe(fake.connections);
    expect(lines.every((l) => JSON.parse(l).status === "ok")).toBe(true);

    const resumed = await startCli([...args, ...flags, "--resume", "--quiet"]).done;
    expect(resumed.code).toBe(0);
    const keys = readLines(out).map((l) => JSON.parse(l).port as number);
    expect(keys.sort((a, b) => a - b)).toEqual([...fake.ports].sort((a, b) => a - b));
  });
});
