/**
 * Golden fixtures: records grabbed from the lab's real servers (test/fixtures/lab, refreshed by
 * `npm run fixtures:lab`) replayed through today's protocol code must give the same record fields.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/core/paths.js";
import { protocolNamed } from "../../src/protocols/registry.js";
import { type ScanRecord, ScanRecordSchema } from "../../src/store/schema.js";
import { replayRecord } from "../support/replay.js";

const dir = join(repoRoot(), "test", "fixtures", "lab");
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map(
    (f) =>
      [f, ScanRecordSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8")))] as [string, ScanRecord],
  );

describe("golden lab transcripts replay to the same records", () => {
  it("has fixtures for the lab's servers", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  it.each(fixtures)("%s", async (_file, record) => {
    const protocol = protocolNamed(record.protocol);
    if (!protocol) throw new Error(`no protocol ${record.protocol}`);
    const ehloName =
      record.transcript.find((t) => t.dir === "C" && t.data.startsWith("EHLO "))?.data.slice(5) ?? "x";
    const outcome = await replayRecord(record, protocol, {
      ehloName,
      starttls: "auto",
      replyTimeoutMs: 1000,
      probes: (record.smtp?.probes ?? []).map((p) => p.name),
    });
    expect(outcome.status).toBe(record.status);
    // every protocol's part, whichever the record is (a part the session did not fill is null)
    for (const part of ["smtp", "tls", "imap", "pop3", "http"] as const) {
      expect(outcome.fields[part] ?? null, part).toEqual(record[part]);
    }
  });
});
