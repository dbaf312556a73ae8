/** kill -9 during a grab of the lab, then --resume: exactly one record per (ip, port). */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { startCli } from "../support/cli.js";
import { labManifest } from "../support/lab.js";

describe("grab of the lab, kill -9, --resume", () => {
  it("leaves exactly one record per (ip, port)", async () => {
    const manifest = labManifest();
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-lab-resume-"));
    const out = join(dir, "lab.jsonl");
    const targets = join(dir, "targets.txt");
    writeFileSync(targets, `${manifest.servers.map((s) => s.ip).join("\n")}\n`);
    const ports = [25, 465, 587];
    // One session at a time, so the kill lands in the middle of the run.
    const args = [
      "grab",
      "-i",
      targets,
      "-p",
      ports.join(","),
      "--scope",
      "127.77.0.0/16",
      "-o",
      out,
      "-c",
      "1",
      "--quiet",
    ];
    const first = startCli(args);
    for (let i = 0; i < 400 && lines(out).length < 3; i++) await sleep(25);
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    const partial = lines(out).length;
    const expected = manifest.servers.length * ports.length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expected);

    const second = await startCli([...args.filter((a) => a !== "1" && a !== "-c"), "--resume"]).done;
    expect(second.code, second.stderr).toBe(0);
    const keys = lines(out).map((l) => {
      const r = JSON.parse(l) as { ip: string; port: number };
      return `${r.ip}:${r.port}`;
    });
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(expected);
  }, 180_000);
});

function lines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}
