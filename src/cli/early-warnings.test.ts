import { describe, expect, it } from "vitest";
import { emptySmtpRecord, type ScanRecord } from "../store/schema.js";
import { EarlyWarnings } from "./early-warnings.js";

const record = (port: number, status: ScanRecord["status"]): ScanRecord => ({
  schema: 1,
  ip: "192.0.2.1",
  port,
  protocol: "smtp",
  name: null,
  status,
  error: null,
  started_at: "2026-11-30T00:00:00.000Z",
  duration_ms: 1,
  smtp: status === "ok" ? emptySmtpRecord() : null,
  tls: null,
  ssh: null,
  imap: null,
  pop3: null,
  http: null,
  transcript: [],
  software: null,
});

function watch(controlAnswered: number[] = []) {
  const warnings: string[] = [];
  const stops: string[] = [];
  const early = new EarlyWarnings({
    preflight: 5,
    zeroHitsAfter: 8,
    controlAnswered: new Set(controlAnswered),
    warn: (l) => warnings.push(l),
    stop: (r) => stops.push(r),
  });
  return { early, warnings, stops };
}

describe("early warnings", () => {
  it("stops when the first connections on a port all time out", () => {
    const { early, stops } = watch();
    for (let i = 0; i < 5; i++) early.observe(record(25, "connect-timeout"));
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatch(/port 25 looks blocked/);
  });

  it("only warns when a control target answered on that port", () => {
    const { early, stops, warnings } = watch([25]);
    for (let i = 0; i < 5; i++) early.observe(record(25, "connect-timeout"));
    expect(stops).toEqual([]);
    expect(warnings[0]).toMatch(/control target answered/);
  });

  it("goes on when anything else came back, and warns once about a zero hit rate", () => {
    const { early, stops, warnings } = watch();
    for (let i = 0; i < 10; i++) early.observe(record(25, i === 2 ? "refused" : "connect-timeout"));
    expect(stops).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no target has answered after 8 records/);
  });
});
