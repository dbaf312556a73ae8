/** --no-transcripts: records as complete as ever, with an empty transcript. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostileServer, startHostile } from "../hostile/servers.js";
import { runCli } from "../support/cli.js";

describe("grab --no-transcripts", () => {
  let server: HostileServer;
  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-no-transcripts-"));
  beforeAll(async () => {
    server = await startHostile("polite", { ip: "127.77.250.1", port: 2529 });
    writeFileSync(join(dir, "targets.txt"), "127.77.250.1\n");
  });
  afterAll(() => server.close());

  const grab = async (name: string, extra: string[]) => {
    const out = join(dir, name);
    const args = ["grab", "-i", join(dir, "targets.txt"), "-p", "2529", "--scope", "127.77.250.0/24"];
    const run = await runCli([...args, "-o", out, "-q", "-w", "1", "--ehlo", "t.test", ...extra]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(readFileSync(out, "utf8").trim()) as Record<string, unknown>;
  };

  it("leaves the transcript empty and the rest as it was", async () => {
    const full = await grab("full.jsonl", []);
    const bare = await grab("bare.jsonl", ["--no-transcripts"]);
    expect((full.transcript as unknown[]).length).toBeGreaterThan(5);
    expect(bare.transcript).toEqual([]);
    const { started_at: _a, duration_ms: _b, transcript: _c, smtp: s1, ...rest1 } = full;
    const { started_at: _d, duration_ms: _e, transcript: _f, smtp: s2, ...rest2 } = bare;
    expect(rest2).toEqual(rest1);
    const banner = (s: unknown) => (s as { banner: string; ehlo: string[] }).banner;
    expect(banner(s2)).toEqual(banner(s1));
  });
});
