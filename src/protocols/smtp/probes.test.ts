import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProbes } from "./probe-catalogue.js";

function probeFile(commands: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "probes-")), "smtp.json");
  writeFileSync(file, JSON.stringify({ probes: [{ name: "p", description: "d", commands }] }));
  return file;
}

describe("probe definitions", () => {
  it("ship with every probe the rules read, and none that could move mail", () => {
    const probes = loadProbes();
    for (const name of [
      "bare-ehlo",
      "unknown-verb",
      "nul-byte",
      "mail-before-ehlo",
      "rcpt-before-mail",
      "vrfy",
    ])
      expect(probes.has(name)).toBe(true);
    for (const probe of probes.values()) {
      for (const command of probe.commands) expect(command).not.toMatch(/^\s*(DATA|BDAT)\b/i);
    }
  });

  it("refuse DATA, a real MAIL sender, a real recipient, and RCPT after MAIL", () => {
    for (const commands of [
      ["EHLO x", "DATA"],
      ["BDAT 10 LAST"],
      ["MAIL FROM:<someone@example.com>"],
      ["RCPT TO:<postmaster@example.com>"],
      ["RCPT TO:<postmaster>"],
      ["MAIL FROM:<>", "RCPT TO:<probe@smtpsurvey.invalid>"],
    ])
      expect(() => loadProbes(probeFile(commands)), commands.join(" | ")).toThrow(/could move mail/);
  });

  it("allow the null sender and RCPT to a .invalid address before any MAIL", () => {
    expect(loadProbes(probeFile(["MAIL FROM:<>"])).size).toBe(1);
    expect(loadProbes(probeFile(["EHLO x", "RCPT TO:<probe@smtpsurvey.invalid>"])).size).toBe(1);
  });
});
