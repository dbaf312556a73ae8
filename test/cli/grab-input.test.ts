import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-input-"));
const out = join(dir, "out.jsonl");
const badFile = join(dir, "targets.txt");
writeFileSync(badFile, "# lab\n127.77.1.1\n127.77.1.300\n");

const cases: Array<[string, string[], RegExp]> = [
  ["no scope", ["grab", "127.77.1.1", "-p", "25", "-o", out], /--scope is required/],
  [
    "a bad CIDR",
    ["grab", "127.77.1.0/40", "-p", "25", "--scope", "127.77.0.0/16", "-o", out],
    /not an IP address or CIDR/,
  ],
  [
    "a bad scope",
    ["grab", "127.77.1.1", "-p", "25", "--scope", "127.77/16", "-o", out],
    /not an IP address or CIDR/,
  ],
  ["port 0", ["grab", "127.77.1.1", "-p", "0", "--scope", "127.77.0.0/16", "-o", out], /outside 1-65535/],
  [
    "port 70000",
    ["grab", "127.77.1.1", "-p", "70000", "--scope", "127.77.0.0/16", "-o", out],
    /outside 1-65535/,
  ],
  [
    "an unreadable file",
    ["grab", "-i", join(dir, "missing.txt"), "-p", "25", "--scope", "127.77.0.0/16", "-o", out],
    /cannot read targets file/,
  ],
  [
    "a bad line in a file",
    ["grab", "-i", badFile, "-p", "25", "--scope", "127.77.0.0/16", "-o", out],
    /targets\.txt:3: .*127\.77\.1\.300/,
  ],
  ["an unknown option", ["grab", "--frobnicate"], /unknown option/],
  [
    "an unknown probe",
    ["grab", "127.77.1.1", "-p", "25", "--scope", "127.77.0.0/16", "-o", out, "--probes", "nope"],
    /unknown probe/,
  ],
  ["no targets", ["grab", "-p", "25", "--scope", "127.77.0.0/16", "-o", out], /no targets/],
];

describe("grab refuses bad input with one line and exit 2", () => {
  it.each(cases)("%s", async (_name, args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
