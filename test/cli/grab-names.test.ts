import { lookup } from "node:dns/promises";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("grab takes host names and IPv6", () => {
  it("resolves a name to all its addresses and keeps the name in the record", async () => {
    const expected = [...new Set((await lookup("localhost", { all: true })).map((a) => a.address))].sort();
    const result = await runCli([
      "grab",
      "localhost",
      "-p",
      "1",
      "--scope",
      "127.0.0.1/32,::1/128",
      "-o",
      "-",
      "--quiet",
    ]);
    expect(result.code).toBe(0);
    const records = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { ip: string; name: string; status: string });
    expect(records.map((r) => r.ip).sort()).toEqual(expected);
    expect(records.every((r) => r.name === "localhost" && r.status === "refused")).toBe(true);
  });

  it("scans an IPv6 address given directly", async () => {
    const result = await runCli(["grab", "::1", "-p", "1", "--scope", "::1/128", "-o", "-", "--quiet"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ip: "::1", port: 1, status: "refused", name: null });
  });
});
