import { describe, expect, it } from "vitest";
import { probe, view } from "../../test/support/toy-rules.js";
import { atLevel, evidenceLevel } from "./evidence.js";
import { extractFeatures } from "./features.js";

describe("evidence levels", () => {
  it("places a record at the lowest level that keeps all it has", () => {
    const banner = new Map([["banner", "220 <host> ESMTP"]]);
    expect(evidenceLevel(banner)).toBe("banner");
    expect(evidenceLevel(new Map([...banner, ["ehlo.keywords", "SIZE"]]))).toBe("ehlo");
    expect(evidenceLevel(new Map([...banner, ["help", "214 ok"]]))).toBe("help");
    expect(evidenceLevel(extractFeatures(view("220 h ESMTP", [probe("x", 500)])))).toBe("probes");
    expect(evidenceLevel(new Map([["ssh.banner", "SSH-2.0-x"]]))).toBe("banner");
  });

  it("cuts a record down to what a level sees, in the dialogue's order", () => {
    const all = new Map([
      ["banner", "b"],
      ["ehlo.first", "e"],
      ["help", "h"],
      ["starttls", "s"],
      ["cert.subject", "c"],
      ["probe.x", "p"],
    ]);
    expect([...atLevel(all, "banner").keys()]).toEqual(["banner"]);
    expect([...atLevel(all, "ehlo").keys()]).toEqual(["banner", "ehlo.first"]);
    expect([...atLevel(all, "help").keys()]).toEqual([
      "banner",
      "ehlo.first",
      "help",
      "starttls",
      "cert.subject",
    ]);
    expect(atLevel(all, "probes").size).toBe(6);
  });
});
