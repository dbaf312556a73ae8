/**
 * Coordinator plus three workers on a loopback server farm in a network namespace of the
 * test's own (lab/namespace-farm.ts, run under `unshare --net`), one worker killed with kill -9
 * mid-run: the same (ip, port, status) set and the same records (times aside) as a one-machine
 * survey of the same seeded sample, every (ip, port) once, every chunk done once, no target
 * stored (the sample is a space descriptor).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FarmReport } from "../../lab/namespace-farm.js";
import { repoRoot } from "../../src/core/paths.js";

function runInNamespace(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "unshare",
      ["--net", process.execPath, join(repoRoot(), "dist", "lab", "namespace-farm.js")],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("survey --engine in a network namespace", () => {
  it("with 3 workers, one killed mid-run, writes what one machine writes, each (ip, port) once", async () => {
    const run = await runInNamespace();
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as FarmReport;
    expect(report.alone).toHaveLength(report.planned);
    expect(report.distributed).toEqual(report.alone);
    expect(report.differing).toBe(0);
    expect(report.sameTargets).toBe(true);
    expect(report.counts).toEqual({
      records: report.planned,
      distinct: report.planned,
      chunksDone: report.counts.chunks,
      chunks: Math.ceil(report.planned / 2 / 20),
      stored: 0,
    });
    expect(report.killed.signal).toBe("SIGKILL");
  }, 240_000);
});
