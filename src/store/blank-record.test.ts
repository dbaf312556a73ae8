import { describe, expect, it } from "vitest";
import { RECORD_PART_SCHEMAS } from "../protocols/parts.js";
import { blankRecord, RECORD_PART_NAMES, ScanRecordSchema } from "./schema.js";

describe("blankRecord", () => {
  it("lists the parts parts.ts has schemas for, in its order (blank-record.ts: add a new part there too)", () => {
    expect([...RECORD_PART_NAMES]).toEqual(Object.keys(RECORD_PART_SCHEMAS));
  });

  it("is a valid record with every protocol part null", () => {
    const record = blankRecord({
      ip: "192.0.2.1",
      port: 25,
      protocol: "smtp",
      status: "refused",
      started_at: "2026-01-01T00:00:00.000Z",
    });
    expect(ScanRecordSchema.parse(record)).toEqual(record);
    const parts = Object.keys(ScanRecordSchema.shape).filter(
      (key) =>
        ![
          "schema",
          "ip",
          "port",
          "protocol",
          "name",
          "country",
          "asn",
          "status",
          "error",
          "started_at",
          "duration_ms",
          "source",
          "transcript",
          "software",
        ].includes(key),
    );
    expect(parts.sort()).toEqual(Object.keys(RECORD_PART_SCHEMAS).sort());
    expect(parts).toEqual(expect.arrayContaining(["http", "imap", "pop3", "smtp", "ssh", "tls"]));
    for (const part of parts) expect(record[part as keyof typeof record]).toBeNull();
    expect(record).toMatchObject({ name: null, error: null, duration_ms: 0, transcript: [], software: null });
    expect("country" in record).toBe(false);
  });

  it("keeps where the target came from when it is known", () => {
    const record = blankRecord({
      ip: "192.0.2.1",
      port: 25,
      protocol: "smtp",
      name: "mx.example.com",
      country: "NL",
      asn: 64496,
      status: "ok",
      started_at: "2026-01-01T00:00:00.000Z",
    });
    expect(record).toMatchObject({ name: "mx.example.com", country: "NL", asn: 64496 });
  });
});
