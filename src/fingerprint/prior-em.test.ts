import { describe, expect, it } from "vitest";
import { toyRules, view } from "../../test/support/toy-rules.js";
import type { ScanRecord } from "../store/schema.js";
import { emptyModelData, Model } from "./model.js";
import { PriorEstimator, priorRows } from "./prior-em.js";

const record = (banner: string): ScanRecord =>
  ({ ...view(banner), ip: "192.0.2.1", port: 25, status: "ok", transcript: [] }) as unknown as ScanRecord;

describe("the prior re-estimated from a run's records", () => {
  it("moves toward what the run's certain records show, and ambiguous ones follow", () => {
    const files = toyRules();
    const model = new Model(files, emptyModelData(files), { priors: null });
    const estimator = new PriorEstimator(model);
    for (let i = 0; i < 60; i += 1) estimator.add(record("220 h ESMTP Beta 1.0"));
    for (let i = 0; i < 5; i += 1) estimator.add(record("220 h ESMTP Alpha 2.0"));
    for (let i = 0; i < 30; i += 1) estimator.add(record("220 h ESMTP"));
    const [estimate] = estimator.fit();
    expect(estimate?.records).toBe(95);
    const rows = priorRows(estimate as NonNullable<typeof estimate>);
    const beta = rows.find((r) => r.product === "Beta");
    const alpha = rows.find((r) => r.product === "Alpha");
    expect(beta?.run).toBeGreaterThan(0.5);
    expect(beta?.run).toBeGreaterThan(beta?.world ?? 1);
    expect(alpha?.run).toBeLessThan(beta?.run ?? 0);
    expect(rows.reduce((s, r) => s + r.run, 0)).toBeLessThanOrEqual(1 + 1e-9);
  });
});
