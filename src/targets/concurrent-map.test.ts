import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { concurrentMap } from "./concurrent-map.js";

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

describe("concurrentMap", () => {
  it("yields every result, in completion order, with at most `concurrency` calls in flight", async () => {
    let active = 0;
    let peak = 0;
    const results = await collect(
      concurrentMap([30, 10, 20, 5, 5, 5], 3, async (ms) => {
        active += 1;
        peak = Math.max(peak, active);
        await sleep(ms);
        active -= 1;
        return ms;
      }),
    );
    expect(results.slice().sort((a, b) => a - b)).toEqual([5, 5, 5, 10, 20, 30]);
    expect(results[0]).toBe(10);
    expect(peak).toBe(3);
  });

  it("rethrows an error from the input", async () => {
    async function* input() {
      yield 1;
      throw new Error("bad line");
    }
    await expect(collect(concurrentMap(input(), 2, async (n) => n))).rejects.toThrow("bad line");
  });

  it("stops pulling input and closes it when the consumer breaks", async () => {
    let pulled = 0;
    let closed = false;
    async function* input() {
      try {
        for (let i = 0; i < 1000; i++) {
          pulled += 1;
          yield i;
        }
      } finally {
        closed = true;
      }
    }
    for await (const n of concurrentMap(input(), 4, async (x) => x)) if (n >= 2) break;
    await sleep(10);
    expect(closed).toBe(true);
    expect(pulled).toBeLessThan(20);
  });

  it("pauses when the consumer falls behind", async () => {
    let calls = 0;
    const mapped = concurrentMap(
      Array.from({ length: 100 }, (_, i) => i),
      4,
      async (x) => {
        calls += 1;
        return x;
      },
    );
    const first = await mapped.next();
    expect(first.done).toBe(false);
    await sleep(20);
    expect(calls).toBeLessThanOrEqual(12);
    await mapped.return(undefined);
  });
});
