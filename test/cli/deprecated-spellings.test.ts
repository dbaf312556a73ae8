/**
 * The old spellings of this release (docs/cli.md, "Changed in this release") still do what they
 * did and say, in one line on stderr, what to write instead. One test per spelling; the rest of
 * the repository uses the new ones. Servers here listen on 127.0.0.1 only.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/core/paths.js";
import { runCli } from "../support/cli.js";
import { type FakeSmtp, startFakeSmtp } from "../support/fake-smtp.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-deprecated-"));
const SCOPE = ["--scope", "127.0.0.1/32"];
const lines = (text: string) => text.trim().split("\n").filter(Boolean);

/** A port on 127.0.0.1 that nothing listens on: a grab of it is `refused` at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== "object") throw new Error("no port");
  return address.port;
}

describe("deprecated spellings", () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp("127.0.0.1");
  });
  afterAll(() => fake.close());

  it("survey --out RUNDIR runs the survey into RUNDIR, with one deprecation line", async () => {
    const run = join(dir, "run");
    const port = await closedPort();
    const result = await runCli(["survey", "127.0.0.1", "-p", String(port), ...SCOPE, "--out", run, "-q"]);
    expect(result.code, result.stderr).toBe(0);
    // -q leaves the deprecation line alone on stderr
    expect(lines(result.stderr)).toEqual([
      "smtpsurvey: --out is deprecated, use -o/--output (it will be removed in the next release)",
    ]);
    expect(existsSync(join(run, "run.json"))).toBe(true);
    expect(readFileSync(join(run, "records.jsonl"), "utf8")).toContain('"status":"refused"');
  });

  it("identify -c S is still the connect timeout", async () => {
    const result = await runCli(["identify", "127.0.0.1:25", ...SCOPE, "-c", "0"]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      "smtpsurvey: -c for the connect timeout is deprecated, use --connect-timeout (-c means --concurrency in every command; it will be removed in the next release)",
      'smtpsurvey: --connect-timeout takes a positive number of seconds, not "0"',
    ]);
  });

  it("learn -c S is still the connect timeout", async () => {
    const result = await runCli(["learn", "127.0.0.1:25", "--product", "postfix", ...SCOPE, "-c", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^smtpsurvey: -c for the connect timeout is deprecated, use --connect-timeout/,
    );
    expect(result.stderr).toMatch(/--connect-timeout takes a positive number of seconds, not "0"/);
  });

  it("learn --name FILE still names a file in rules/examples/records/", async () => {
    // an existing fixture: refused before anything connects or is written
    const taken = readdirSync(join(repoRoot(), "rules", "examples", "records")).find((f) =>
      f.endsWith(".json"),
    );
    expect(taken).toBeDefined();
    const result = await runCli([
      "learn",
      "127.0.0.1:25",
      "--product",
      "postfix",
      ...SCOPE,
      "--name",
      String(taken),
    ]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      "smtpsurvey: --name is deprecated, use -o/--output (--name FILE is -o rules/examples/records/FILE; it will be removed in the next release)",
      `smtpsurvey: ${join(repoRoot(), "rules", "examples", "records", String(taken))} exists: choose another -o/--output, or leave it out for a new name`,
    ]);
  });

  it("learn --version V is still the product's version (not smtpsurvey's)", async () => {
    mkdirSync(join(dir, "fixtures"), { recursive: true });
    const fixture = join(dir, "fixtures", "fake.json");
    const result = await runCli([
      "learn",
      `127.0.0.1:${fake.ports[0]}`,
      "--product",
      "postfix",
      "--version",
      "3.7.11",
      ...SCOPE,
      "-t",
      "5",
      "-o",
      fixture,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stderr)).toEqual([
      "smtpsurvey: --version is deprecated, use --product-version (--version is smtpsurvey's own version; it will be removed in the next release)",
    ]);
    expect(result.stdout).toContain(`recorded ${fixture}`);
    const saved = JSON.parse(readFileSync(fixture, "utf8")) as {
      truth: { product: string; version: string };
    };
    expect(saved.truth).toEqual({ product: "postfix", version: "3.7.11" });
  });

  it("refuses an old and a new spelling together", async () => {
    const existing = join(dir, "taken");
    mkdirSync(existing, { recursive: true });
    writeFileSync(join(existing, "run.json"), "{}\n");
    const result = await runCli([
      "survey",
      "127.0.0.1",
      "-p",
      "25",
      ...SCOPE,
      "--out",
      existing,
      "-o",
      existing,
    ]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)[1]).toBe(
      "smtpsurvey: --out and -o/--output both given: give -o/--output only",
    );
  });
});
