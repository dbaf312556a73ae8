/**
 * `smtpsurvey identify` against every SMTP endpoint of the running lab: the product it names is
 * the one the lab's manifest says runs there, with the banner stripped too, within a few probes.
 */
import { describe, expect, it } from "vitest";
import { loadModel, resolveProduct } from "../../src/fingerprint/model.js";
import { ScanRecordSchema } from "../../src/store/schema.js";
import { runCli } from "../support/cli.js";
import { labSmtpEndpoints } from "../support/lab.js";

const endpoints = labSmtpEndpoints();
const model = loadModel();

describe("identify against the lab", () => {
  it("has SMTP endpoints to identify", () => {
    expect(endpoints.length).toBeGreaterThanOrEqual(8);
  });

  it.each(endpoints.map((e) => [`${e.server.name} ${e.port}`, e] as const))("%s", async (_name, e) => {
    const result = await runCli([
      "identify",
      `${e.ip}:${e.port}`,
      "--scope",
      "127.77.0.0/16",
      "--json",
      "-t",
      "10",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const record = ScanRecordSchema.parse(JSON.parse(result.stdout));
    expect(record.software?.product).toBe(resolveProduct(model.products, e.protocol, e.server.product));
    expect(record.software?.confidence).toBeGreaterThan(0.5);
    // adaptive: at most four extra connections per host
    expect(record.smtp?.probes.length).toBeLessThanOrEqual(4);
    for (const probe of record.smtp?.probes ?? []) {
      const sent = probe.steps.map((s) => s.command);
      expect(sent.some((c) => /^(RCPT|DATA|BDAT)/i.test(c))).toBe(false);
    }
  });

  it("refuses to connect without --scope and says when nothing answers", async () => {
    const noScope = await runCli(["identify", "127.77.1.1"]);
    expect(noScope.code).toBe(2);
    expect(noScope.stderr.trim().split("\n")).toHaveLength(1);
    const closed = await runCli([
      "identify",
      "127.77.1.1:2",
      "--scope",
      "127.77.0.0/16",
      "--connect-timeout",
      "2",
    ]);
    expect(closed.code).toBe(1);
    expect(closed.stdout).toMatch(/^no SMTP service answers on 127\.77\.1\.1:2 \(refused/);
  });
});
