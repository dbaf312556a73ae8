/**
 * The lab's servers recorded with every probe (rules/examples/records/lab-*.json): each gets a
 * version or a range that covers the version the lab runs, with its greeting and without it
 * (the banner-stripped case), by today's rules and rules/model.json.
 */
import { describe, expect, it } from "vitest";
import { versionCovers } from "../../bench/identify-eval.js";
import { labTruth } from "../../bench/labelled.js";
import { loadRecordExamples } from "../../src/fingerprint/examples.js";
import { identifyRecord } from "../../src/fingerprint/identify.js";
import { loadModel } from "../../src/fingerprint/model.js";

const model = loadModel();
const learned = loadRecordExamples().filter((e) => e.origin === "learned" && labTruth(e.record.ip));

describe("versions of the lab's servers, from every probe", () => {
  it("has the lab's recorded servers", () => {
    expect(learned.length).toBeGreaterThanOrEqual(15);
  });

  it.each(learned.map((e) => [e.name, e] as const))("%s", (_name, example) => {
    const truth = labTruth(example.record.ip);
    for (const hideBanner of [false, true]) {
      const software = identifyRecord(model, example.record, { hideBanner });
      const covers = versionCovers(
        { version: software?.version ?? null, range: software?.version_range ?? null },
        truth?.version ?? null,
      );
      expect(
        covers,
        `${hideBanner ? "banner hidden: " : ""}${software?.version ?? software?.version_range}`,
      ).toBe(true);
    }
  });
});
