import { describe, expect, it } from "vitest";
import { ENGINE_YOUNG_GENERATION_MB, HEAP_GROWING_PERCENT, heapPlan } from "./heap-tuning.js";

describe("heapPlan", () => {
  it("is roomy for few sessions a thread and tight at 10,000 in flight on two threads", () => {
    expect(heapPlan(500)).toEqual({ youngGenerationMb: 32, growingPercent: 100 });
    expect(heapPlan(1000)).toEqual({ youngGenerationMb: 32, growingPercent: 100 });
    expect(heapPlan(2500)).toEqual({ youngGenerationMb: ENGINE_YOUNG_GENERATION_MB, growingPercent: 100 });
    expect(heapPlan(5000)).toEqual({
      youngGenerationMb: ENGINE_YOUNG_GENERATION_MB,
      growingPercent: HEAP_GROWING_PERCENT,
    });
    expect(heapPlan(50_000).growingPercent).toBe(HEAP_GROWING_PERCENT);
  });

  it("never lets the old generation grow more as sessions a thread grow", () => {
    let last = Number.POSITIVE_INFINITY;
    for (let n = 1001; n <= 20_000; n += 97) {
      const { growingPercent } = heapPlan(n);
      expect(growingPercent).toBeLessThanOrEqual(last);
      last = growingPercent;
    }
  });
});
