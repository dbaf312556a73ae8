/**
 * `smtpsurvey import` then `smtpsurvey report DIR` through the built CLI, on a directory that holds
 * nothing but the imported records; and bad input: one line naming the file, the line and the
 * field, exit 2, nothing written.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const root = mkdtempSync(join(tmpdir(), "smtpsurvey-import-cli-"));

describe.each([
  ["zgrab2", "test/fixtures/interop/zgrab2/multiple.jsonl"],
  ["masscan", "test/fixtures/interop/masscan/banners.json"],
  ["masscan", "test/fixtures/interop/masscan/banners.list"],
  ["sftcd", "test/fixtures/interop/sftcd/records.fresh"],
])("import --format %s %s, then report", (format, file) => {
  it("writes the clusters, the tables and report.html into the directory", { timeout: 120_000 }, async () => {
    const dir = join(root, `${format}-${file.split("/").pop()}`);
    const imported = await runCli(["import", "--format", format, file, "-o", join(dir, "records.jsonl")]);
    expect(imported.stderr).toMatch(/records from \d+ lines/);
    expect(imported.code).toBe(0);
    expect(readdirSync(dir)).toEqual(["records.jsonl"]);
    const report = await runCli(["report", dir]);
    expect(report.stderr).toMatch(/imported records/);
    expect(report.code).toBe(0);
    for (const name of [
      "run.json",
      "clusters.jsonl",
      "analysis.json",
      "report.html",
      "survey.sqlite",
      "tables",
    ])
      expect(existsSync(join(dir, name)), name).toBe(true);
    expect(existsSync(join(dir, "tables", "clusters.csv"))).toBe(true);
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    expect(Object.keys(run.parameters.sources)).toEqual([format]);
    expect(run.stages.report.status).toBe("done");
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).toContain(`from ${format}`);
    if (format !== "masscan")
      expect(
        readFileSync(join(dir, "clusters.jsonl"), "utf8").trim().split("\n").length,
      ).toBeGreaterThanOrEqual(3);
  });
});

describe("bad input", () => {
  const bad = (name: string, text: string) => {
    const path = join(root, name);
    writeFileSync(path, text);
    return path;
  };
  const good = readFileSync("test/fixtures/interop/sftcd/records.fresh", "utf8").split("\n")[0] as string;

  it.each([
    [
      "sftcd",
      "not-json.fresh",
      `${good}\n{"ip": "192.0.2.1", "p25": \n`,
      /not-json\.fresh:2: \(line\): not JSON/,
    ],
    [
      "sftcd",
      "bad-cert.fresh",
      `${good}\n${good}\n${JSON.stringify({ ip: "192.0.2.1", p25: { ip: "192.0.2.1", data: { banner: "220 x\r\n", tls: { server_certificates: { certificate: { raw: "bm90IGEgY2VydA==" } } } } } })}\n`,
      /bad-cert\.fresh:3: p25\.data\.tls\.server_certificates\.certificate\.raw: not a certificate/,
    ],
    [
      "zgrab2",
      "bad-status.json",
      `${JSON.stringify({ ip: "192.0.2.1", data: { smtp: { protocol: "smtp", result: {} } } })}\n`,
      /bad-status\.json:1: data\.smtp\.status: /,
    ],
    [
      "zgrab2",
      "bad-key.json",
      `${JSON.stringify({ ip: "192.0.2.1", data: { ssh: { status: "success", protocol: "ssh", result: { key_exchange: { server_host_key: { raw: "AAAA!!" } } } } } })}\n`,
      /bad-key\.json:1: data\.ssh\.result\.key_exchange\.server_host_key\.raw: not base64/,
    ],
    [
      "masscan",
      "bad.list",
      "#masscan\nopen tcp 25 192.0.2.1 1700000000\nbanner tcp 99999 192.0.2.1 1700000000 smtp 220 x\n",
      /bad\.list:3: port: not a port/,
    ],
  ])("%s %s: one line, exit 2, no output", async (format, name, text, message) => {
    const output = join(root, `${name}.out/records.jsonl`);
    const result = await runCli(["import", "--format", format, bad(name, text), "-o", output]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(existsSync(output)).toBe(false);
    expect(existsSync(join(root, `${name}.out`))).toBe(false);
  });

  it("leaves an earlier output as it was", async () => {
    const output = join(root, "kept.jsonl");
    writeFileSync(output, "earlier\n");
    const result = await runCli([
      "import",
      "--format",
      "sftcd",
      bad("half.fresh", `${good}\nnope\n`),
      "-o",
      output,
    ]);
    expect(result.code).toBe(2);
    expect(readFileSync(output, "utf8")).toBe("earlier\n");
  });
});

describe("identify -i on imported records", () => {
  it("names the software behind zgrab2's and records.fresh's records", { timeout: 120_000 }, async () => {
    for (const [format, file] of [
      ["zgrab2", "test/fixtures/interop/zgrab2/multiple.jsonl"],
      ["sftcd", "test/fixtures/interop/sftcd/records.fresh"],
    ] as const) {
      const records = join(root, `identify-${format}.jsonl`);
      expect((await runCli(["import", "--format", format, file, "-o", records, "-q"])).code).toBe(0);
      const output = join(root, `identified-${format}.jsonl`);
      const identified = await runCli(["identify", "-i", records, "-o", output, "-q"]);
      expect(identified.code, identified.stderr).toBe(0);
      const software = new Map(
        readFileSync(output, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { ip: string; port: number; software: { product: string } | null })
          .map((r) => [`${r.ip}:${r.port}`, r.software?.product]),
      );
      expect(software.get("127.77.1.1:25"), format).toBe("Postfix");
      expect(software.get("127.77.1.3:25"), format).toBe("Exim");
      expect(software.get("127.77.4.1:143"), format).toBe("Dovecot");
    }
  });
});
