import { describe, expect, it } from "vitest";
import { KeyFilter } from "./key-filter.js";

describe("KeyFilter", () => {
  it("never says no to a key it holds, and rarely says maybe to one it does not", () => {
    const filter = new KeyFilter();
    for (let i = 0; i < 100_000; i++) filter.add(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}|25`);
    for (let i = 0; i < 100_000; i++)
      expect(filter.mayHave(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}|25`)).toBe(true);
    let maybes = 0;
    for (let i = 0; i < 100_000; i++)
      if (filter.mayHave(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}|587`)) maybes++;
    expect(maybes).toBeLessThan(100);
  });
});
