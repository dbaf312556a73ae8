import { describe, expect, it } from "vitest";
import { parsePorts } from "./ports.js";

describe("parsePorts", () => {
  it("reads lists, ranges and protocols", () => {
    expect(parsePorts("25,465,587", ["smtp", "smtps"]).map((p) => p.port)).toEqual([25, 465, 587]);
    expect(parsePorts("2501-2503", ["smtp"]).map((p) => p.port)).toEqual([2501, 2502, 2503]);
    expect(parsePorts("8025:smtps", ["smtp", "smtps"])).toEqual([{ port: 8025, protocol: "smtps" }]);
  });

  it("refuses port 0, 70000, junk and unknown protocols", () => {
    expect(() => parsePorts("0", [])).toThrow(/outside 1-65535/);
    expect(() => parsePorts("70000", [])).toThrow(/outside 1-65535/);
    expect(() => parsePorts("25,,26", [])).toThrow(/empty entry/);
    expect(() => parsePorts("x", [])).toThrow(/not a port number/);
    expect(() => parsePorts("30-20", [])).toThrow(/backwards/);
    expect(() => parsePorts("25:gopher", ["smtp"])).toThrow(/unknown protocol/);
  });
});
