import { describe, expect, it } from "vitest";
import { makeRecord } from "../analysis/test-records.js";
import type { ScanRecord } from "../store/schema.js";
import { EarlyWarnings } from "./early-warnings.js";

const record = (port: number, status: ScanRecord["status"]): ScanRecord =>
  makeRecord({ ip: "192.0.2.1", port, status });

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
