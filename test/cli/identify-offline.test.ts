/**
 * Every lab golden record is identified as the product the lab runs, with its greeting and with
 * the greeting hidden (the banner-stripped case for every product), by today's rules and
 * rules/model.json. Leave-one-product-out figures are the benchmark's (npm run bench:identify).
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labTruth } from "../../bench/labelled.js";
import { repoRoot } from "../../src/core/paths.js";
import { loadLabExamples } from "../../src/fingerprint/examples.js";
import { identifyRecord } from "../../src/fingerprint/identify.js";
import { loadModel, resolveProduct, UNKNOWN } from "../../src/fingerprint/model.js";

const model = loadModel();
const smtp = loadLabExamples(labTruth, join(repoRoot(), "test", "fixtures", "lab")).filter(
  (e) => e.record.smtp !== null,
);
const others = loadLabExamples(labTruth, join(repoRoot(), "test", "fixtures", "lab")).filter(
  (e) => e.record.smtp === null,
);

describe("identifying the lab's golden records", () => {
  it("has SMTP records of at least six products", () => {
    expect(new Set(smtp.map((e) => e.product)).size).toBeGreaterThanOrEqual(6);
  });

  it.each(smtp.map((e) => [e.name, e] as const))("%s", (_name, example) => {
    const truth = resolveProduct(model.products, example.record.protocol, example.product);
    expect(truth, "a rule file names the lab's product").not.toBe(UNKNOWN);
    const withBanner = identifyRecord(model, example.record);
    const stripped = identifyRecord(model, example.record, { hideBanner: true });
    expect(withBanner?.product).toBe(truth);
    expect(stripped?.product, "banner hidden").toBe(truth);
    expect(withBanner?.confidence).toBeGreaterThan(0.5);
    expect(withBanner?.evidence.length).toBeGreaterThan(0);
  });

  it.each(others.map((e) => [e.name, e] as const))("%s (greeting only)", (_name, example) => {
    const truth = resolveProduct(model.products, example.record.protocol, example.product);
    expect(truth, "a rule file names the lab's product").not.toBe(UNKNOWN);
    expect(identifyRecord(model, example.record)?.product).toBe(truth);
  });
});
