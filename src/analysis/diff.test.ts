import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { diffRuns, diffText } from "./diff.js";
import { makeRecord } from "./test-records.js";

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe("diffRuns", () => {
  const runA = [
    makeRecord({ ip: "192.0.2.1", software: { product: "postfix", version: "3.7" }, leaf: "k1" }),
    makeRecord({ ip: "192.0.2.2", software: "exim" }),
    makeRecord({ ip: "192.0.2.3", status: "ok", software: "sendmail" }),
    makeRecord({ ip: "192.0.2.4", port: 22, sshKeys: ["s1", "s2"] }),
    makeRecord({ ip: "192.0.2.5" }),
    makeRecord({ ip: "192.0.2.6", status: "refused" }),
  ];
  const runB = [
    // version upgraded, key rotated
    makeRecord({ ip: "192.0.2.1", software: { product: "postfix", version: "3.9" }, leaf: "k2" }),
    // product replaced
    makeRecord({ ip: "192.0.2.2", software: "postfix" }),
    // went down
    makeRecord({ ip: "192.0.2.3", status: "connect-timeout" }),
    // the same SSH keys in another order: no change
    makeRecord({ ip: "192.0.2.4", port: 22, sshKeys: ["s2", "s1"] }),
    // a repeated record of one endpoint counts once
    makeRecord({ ip: "192.0.2.4", port: 22, sshKeys: ["s9"] }),
    // written another way, still the same address; A had no identification: not a change
    makeRecord({ ip: "::ffff:192.0.2.5", software: "exim" }),
    makeRecord({ ip: "192.0.2.7" }),
    makeRecord({ ip: "192.0.2.7" }),
  ];

  it("counts new, gone, status, product, version and key changes", async () => {
    const diff = await diffRuns(stream(runA), stream(runB));
    expect(diff.endpointsA).toBe(6);
    expect(diff.endpointsB).toBe(6);
    expect(diff.new).toEqual({
      count: 1,
      examples: [{ ip: "192.0.2.7", port: 25, protocol: "smtp", before: null, after: "ok" }],
    });
    expect(diff.gone).toEqual({
      count: 1,
      examples: [{ ip: "192.0.2.6", port: 25, protocol: "smtp", before: "refused", after: null }],
    });
    expect(diff.statusChanged.count).toBe(1);
    expect(diff.statusChanged.transitions).toEqual([{ from: "ok", to: "connect-timeout", count: 1 }]);
    expect(diff.productChanged.examples).toEqual([
      { ip: "192.0.2.2", port: 25, protocol: "smtp", before: "exim", after: "postfix" },
    ]);
    expect(diff.versionChanged.examples.map((e) => [e.before, e.after])).toEqual([
      ["postfix 3.7", "postfix 3.9"],
    ]);
    expect(diff.keysChanged.count).toBe(1);
    expect(diff.keysChanged.examples[0]?.ip).toBe("192.0.2.1");
    expect(diff.unchanged).toBe(2);
  });

  it("keeps a bounded number of examples", async () => {
    const a = Array.from({ length: 20 }, (_, i) => makeRecord({ ip: `192.0.2.${i + 1}` }));
    const b = Array.from({ length: 20 }, (_, i) => makeRecord({ ip: `192.0.2.${i + 1}`, status: "refused" }));
    const diff = await diffRuns(a, b, { examples: 3 });
    expect(diff.statusChanged.count).toBe(20);
    expect(diff.statusChanged.examples).toHaveLength(3);
  });

  it("reads as plain text", async () => {
    const text = diffText(await diffRuns(runA, runB));
    expect(text).toContain("run A: 6 endpoints; run B: 6 endpoints; unchanged: 2");
    expect(text).toContain("  ok -> connect-timeout: 1");
    expect(text).toContain("    e.g. 192.0.2.2:25 smtp: exim -> postfix");
    expect(text).toMatch(/keys changed: 1\n {4}e\.g\. 192\.0\.2\.1:25 smtp: tls:/);
  });

  it("refuses a record whose ip is not an address", async () => {
    await expect(diffRuns([makeRecord({ ip: "mx.example" })], [])).rejects.toThrow(InputError);
  });
});
