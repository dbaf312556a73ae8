/**
 * One `smtpsurvey survey` of the whole lab, killed with SIGKILL part-way and finished with
 * --resume: the run directory holds everything the issue lists, no record is lost or
 * duplicated, the lab's shared keys form exactly their clusters, and report.html renders in
 * Debian's Chromium with its charts and graphs, offline and without console errors.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DNS_IP } from "../../lab/dns.js";
import type { Cluster } from "../../src/core/cluster-types.js";
import { repoRoot } from "../../src/core/paths.js";
import type { RunJson } from "../../src/store/run-dir.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../support/chromium.js";
import { runCli, startCli } from "../support/cli.js";
import { labManifest } from "../support/lab.js";

const PORTS = [22, 25, 80, 110, 143, 443, 465, 587, 993, 995];
const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-survey-lab-"));
const out = join(dir, "run");
const addresses = () => labManifest().servers.map((s) => s.ip);

function recordLines(): string[] {
  try {
    return readFileSync(join(out, "records.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l !== "");
  } catch {
    return [];
  }
}

describe("survey of the lab", () => {
  let killedAt = 0;
  let resumed: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    const args = [
      "survey",
      ...addresses(),
      "-p",
      PORTS.join(","),
      "--scope",
      "127.77.0.0/16",
      "--resolver",
      DNS_IP,
      "-o",
      out,
      // slow enough that the kill lands mid-grab
      "-c",
      "4",
      "--per-ip",
      "1",
      "--control",
      "127.77.1.1:25",
    ];
    const first = startCli(args);
    for (let i = 0; i < 600 && recordLines().length < 30; i++) await sleep(50);
    first.child.kill("SIGKILL");
    await first.done;
    killedAt = recordLines().length;
    resumed = await runCli([...args, "--resume"]);
  }, 600_000);

  it("was killed mid-grab and --resume finished it with every endpoint exactly once", () => {
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(addresses().length * PORTS.length);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming: \d+ records already/);
    const keys = recordLines().map((line) => {
      const r = JSON.parse(line) as { ip: string; port: number };
      return `${r.ip}:${r.port}`;
    });
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(addresses().length * PORTS.length);
  });

  it("writes every stage's output into the run directory", () => {
    for (const file of [
      "run.json",
      "targets.jsonl",
      "records.jsonl",
      "survey.sqlite",
      "clusters.jsonl",
      "analysis.json",
      "report.html",
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
    expect(readdirSync(join(out, "tables")).filter((f) => f.endsWith(".csv")).length).toBeGreaterThan(5);
    expect(readdirSync(join(out, "graphs"))).toContain("overview.svg");
    const run = JSON.parse(readFileSync(join(out, "run.json"), "utf8")) as RunJson;
    for (const stage of ["grab", "analyse", "report"] as const)
      expect(run.stages[stage]?.status).toBe("done");
    expect(run.tool.name).toBe("smtpsurvey");
    expect(run.targets).not.toBeNull();
    const db = new Database(join(out, "survey.sqlite"), { readonly: true });
    const { n } = db.prepare("SELECT count(*) AS n FROM records").get() as { n: number };
    db.close();
    expect(n).toBe(addresses().length * PORTS.length);
    // identification ran during the grab
    const postfix = recordLines()
      .map((l) => JSON.parse(l) as { ip: string; port: number; software: { product: string } | null })
      .find((r) => r.ip === "127.77.1.1" && r.port === 25);
    expect(postfix?.software?.product).toBe("Postfix");
  });

  it("puts the lab's shared keys into exactly their clusters, nothing else joining", () => {
    const clusters = readFileSync(join(out, "clusters.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Cluster);
    const clusterOf = (endpoint: string) =>
      clusters.filter((c) => c.members.some((m) => `${m.ip}:${m.port}` === endpoint));
    const members = (c: Cluster | undefined) => (c?.members.map((m) => `${m.ip}:${m.port}`) ?? []).sort();

    const tls = clusterOf("127.77.1.1:25");
    expect(tls).toHaveLength(1);
    expect(members(tls[0])).toEqual(
      ["127.77.1.1:25", "127.77.1.1:465", "127.77.1.1:587", "127.77.5.1:443"].sort(),
    );
    expect(tls[0]?.keys).toHaveLength(1);

    const ssh = clusterOf("127.77.3.1:22");
    expect(ssh).toHaveLength(1);
    expect(members(ssh[0])).toEqual(["127.77.3.1:22", "127.77.3.2:22"]);
    expect(ssh[0]?.keys.every((k) => k.protocols.join() === "ssh")).toBe(true);
  });

  it("renders report.html in Chromium with its charts and graphs, offline, without errors", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("request", (r) => requests.push(r.url()));
      const url = pathToFileURL(join(out, "report.html")).href;
      await page.goto(url);
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      const drawings = page.locator("svg[role=img]");
      expect(await drawings.count()).toBeGreaterThanOrEqual(4);
      const box = await drawings.first().boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(50);
      expect(await page.locator("table").count()).toBeGreaterThan(5);
      // the README's picture is this report; refreshed on demand, like the golden fixtures
      if (process.env.SMTPSURVEY_UPDATE_FIXTURES === "1") {
        await page.setViewportSize({ width: 1200, height: 1500 });
        await page.screenshot({ path: join(repoRoot(), "docs", "report-screenshot.png") });
      }
    } finally {
      await browser.close();
    }
  });

  it("rebuilds the analysis and report from the records with `report`", async () => {
    const result = await runCli(["report", out, "--quiet"]);
    expect(result.code, result.stderr).toBe(0);
    const again = await runCli(["diff", out, out]);
    // a run compared with itself: every endpoint unchanged, and the lab has well over 100
    const counts = /run A: (\d+) endpoints; run B: (\d+) endpoints; unchanged: (\d+)/.exec(again.stdout);
    expect(counts, again.stdout).not.toBeNull();
    expect(Number(counts?.[1])).toBeGreaterThan(100);
    expect(counts?.[2]).toBe(counts?.[1]);
    expect(counts?.[3]).toBe(counts?.[1]);
  });

  it("goes through records.fresh and back with the same clusters, statuses and keys", async () => {
    const fresh = join(dir, "fresh", "records.fresh");
    const exported = await runCli(["export", "--format", "sftcd", out, "-o", fresh]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(existsSync(join(dir, "fresh", "collisions.json"))).toBe(true);
    const back = join(dir, "back");
    const imported = await runCli(["import", "--format", "sftcd", fresh, "-o", join(back, "records.jsonl")]);
    expect(imported.code, imported.stderr).toBe(0);
    const reported = await runCli(["report", back, "--quiet"]);
    expect(reported.code, reported.stderr).toBe(0);
    const clusters = (path: string) =>
      readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => {
          const c = JSON.parse(l) as Cluster;
          return {
            id: c.id,
            keys: c.keys.map((k) => k.spki_sha256),
            members: c.members.map((m) => `${m.ip}:${m.port}/${m.protocol}`),
          };
        });
    expect(clusters(join(back, "clusters.jsonl"))).toEqual(clusters(join(out, "clusters.jsonl")));
    const endpoints = (path: string) =>
      readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => {
          const r = JSON.parse(l) as { ip: string; port: number; status: string; protocol: string };
          return `${r.ip}:${r.port} ${r.protocol} ${r.status}`;
        })
        .sort();
    expect(endpoints(join(back, "records.jsonl"))).toEqual(endpoints(join(out, "records.jsonl")));
    // and the same software by host: nothing the round trip lost or added changes an identification
    const table = (run: string) => readFileSync(join(run, "tables", "share-by-host-product.csv"), "utf8");
    expect(table(back)).toBe(table(out));
  });
});
