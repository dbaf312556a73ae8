import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { perPrefixRate } from "./grab-options.js";

describe("--per-prefix-rate", () => {
  it("takes N or N/BITS, /24 when BITS is left out, nothing for 0 or absent", () => {
    expect(perPrefixRate("20/24")).toEqual({ perPrefixRate: 20, prefixBits: 24 });
    expect(perPrefixRate("5")).toEqual({ perPrefixRate: 5, prefixBits: 24 });
    expect(perPrefixRate("100/16")).toEqual({ perPrefixRate: 100, prefixBits: 16 });
    expect(perPrefixRate("0")).toEqual({});
    expect(perPrefixRate(undefined)).toEqual({});
  });

  it("refuses anything else with one line", () => {
    for (const bad of ["x", "20/33", "20/4", "-1", "1.5/24", "20/"])
      expect(() => perPrefixRate(bad), bad).toThrow(InputError);
  });
});
