import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { Scope } from "../core/scope.js";
import { parseAddressValue } from "./address-value.js";
import { Exclusion, loadExcludeFile, parseExcludeList, specialPurposeExclusion } from "./exclusions.js";
import { spaceFromCidrs, spaceSize } from "./range-set.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-exclusions-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const value = (ip: string) => parseAddressValue(ip).value;

describe("specialPurposeExclusion", () => {
  it("groups the IANA ranges by name", () => {
    const rules = specialPurposeExclusion();
    const rfc1918 = rules.find((r) => r.reason === "private (RFC 1918)");
    expect(rfc1918?.space.v4.size()).toBe((1n << 24n) + (1n << 20n) + (1n << 16n));
    expect(rules.find((r) => r.reason === "multicast")?.space.v6.size()).toBe(1n << 120n);
    expect(rules.every((r) => r.kind === "special-purpose")).toBe(true);
  });

  it("lets through what --scope names, and only that", () => {
    const rules = specialPurposeExclusion(Scope.parse("127.77.0.0/16,0.0.0.0/0"));
    const loopback = rules.find((r) => r.reason === "loopback");
    expect(loopback?.space.v4.contains(value("127.77.1.1"))).toBe(false);
    expect(loopback?.space.v4.contains(value("127.0.0.1"))).toBe(true);
    expect(loopback?.space.v4.size()).toBe((1n << 24n) - (1n << 16n));
    // 0.0.0.0/0 contains 10/8 but does not lie inside it: 10/8 stays out
    expect(rules.find((r) => r.reason === "private (RFC 1918)")?.space.v4.contains(value("10.1.1.1"))).toBe(
      true,
    );
  });

  it("agrees with Scope.check on single addresses", async () => {
    const scope = Scope.parse("0.0.0.0/0,::/0,127.77.0.0/16,10.9.0.0/16,::1/128");
    const exclusion = await Exclusion.build({ scope });
    for (const ip of [
      "8.8.8.8",
      "10.9.1.1",
      "10.8.1.1",
      "127.77.0.5",
      "127.0.0.1",
      "192.168.1.1",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::2",
      "fe80::1",
      "2001:db8::1",
      "2a00:1450::1",
    ]) {
      expect(exclusion.drops(ip) === undefined, ip).toBe(scope.check(ip).allowed);
    }
  });
});

describe("--exclude files", () => {
  it("reads addresses and CIDRs with comments and blank lines", async () => {
    const path = file(
      "ok.txt",
      "# opt-outs\n\n192.0.2.1\n198.51.100.0/24   # whole network\r\n  2001:db8::/32\n\t\n10.1.2.3 #x\n",
    );
    const rule = await loadExcludeFile(path);
    expect(rule.reason).toBe("--exclude");
    expect(rule.space.v4.size()).toBe(1n + 256n + 1n);
    expect(rule.space.v6.size()).toBe(1n << 96n);
  });

  it("names FILE:LINE for a bad line", async () => {
    const path = file("bad.txt", "1.2.3.4\n# fine\n1.2.3.400\n");
    await expect(loadExcludeFile(path)).rejects.toThrow(InputError);
    await expect(loadExcludeFile(path)).rejects.toThrow(`${path}:3: not an IP address or CIDR: "1.2.3.400"`);
    expect(() => parseExcludeList("ok.example\n", "list")).toThrow(/^list:1: /);
    expect(() => parseExcludeList("\n\n1.2.3.4/33", "list")).toThrow(/^list:3: /);
    expect(() => parseExcludeList("127.1", "list")).toThrow(/^list:1: /);
  });

  it("says which file cannot be read", async () => {
    const missing = join(dir, "missing.txt");
    await expect(loadExcludeFile(missing)).rejects.toThrow(`cannot read exclude file ${missing}: ENOENT`);
    await expect(loadExcludeFile(dir)).rejects.toThrow(InputError);
  });
});

describe("Exclusion", () => {
  it("cuts ranges and counts each address once, under the first reason", async () => {
    const path = file("opt-out.txt", "8.8.8.0/24\n10.0.0.0/8\n");
    const exclusion = await Exclusion.build({ excludeFiles: [path] });
    const space = spaceFromCidrs(["8.0.0.0/8", "10.0.0.0/7", "2001:db8::/48", "2a00::/64"]);
    const kept = exclusion.apply(space);
    expect(spaceSize(kept)).toBe((1n << 24n) - 256n + (1n << 24n) + (1n << 64n));
    const counts = exclusion.counts();
    expect(counts.specialPurpose).toBe((1n << 24n) + (1n << 80n));
    expect(counts.excluded).toBe(256n);
    expect(counts.byReason.get("private (RFC 1918)")).toBe(1n << 24n);
    expect(counts.byReason.get("documentation")).toBe(1n << 80n);
    expect(exclusion.summary()).toBe(
      `dropped ${(1n << 24n) + (1n << 80n)} addresses in special-purpose ranges, 256 on the --exclude list`,
    );
  });

  it("tests single addresses and counts them", async () => {
    const exclusion = await Exclusion.build({ excludeFiles: [file("one.txt", "9.9.9.9\n")] });
    expect(exclusion.drops("9.9.9.9")).toBe("--exclude");
    expect(exclusion.drops("192.168.0.1")).toBe("private (RFC 1918)");
    expect(exclusion.drops("::ffff:192.168.0.1")).toBe("private (RFC 1918)");
    expect(exclusion.drops("9.9.9.8")).toBeUndefined();
    expect(exclusion.drops("fe80::1")).toBe("link local");
    expect(exclusion.counts()).toMatchObject({ specialPurpose: 3n, excluded: 1n });
    expect(() => exclusion.drops("nonsense")).toThrow(InputError);
  });

  it("adds two --exclude files into one count", async () => {
    const exclusion = await Exclusion.build({
      excludeFiles: [file("a.txt", "1.1.1.1\n"), file("b.txt", "1.1.1.2\n")],
    });
    exclusion.drops("1.1.1.1");
    exclusion.drops("1.1.1.2");
    expect(exclusion.counts()).toMatchObject({ specialPurpose: 0n, excluded: 2n });
  });
});
