import { describe, expect, it } from "vitest";
import { escapeHtml, jsonForScript, safeId } from "./html-escape.js";

describe("escapeHtml", () => {
  it("escapes the five characters that matter in text and attributes", () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;",
    );
  });

  it("leaves ordinary text alone", () => {
    expect(escapeHtml("Postfix 3.7 — ESMTP ünïcode")).toBe("Postfix 3.7 — ESMTP ünïcode");
  });
});

describe("jsonForScript", () => {
  it("cannot close its script element or open a comment, and reads back unchanged", () => {
    const value = ["</script><script>alert(1)</script>", "<!-- x -->", "a & b", "\u2028"];
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe("safeId", () => {
  it("keeps usable ids and replaces the rest", () => {
    expect(safeId("table-products_2")).toBe("table-products_2");
    expect(safeId('a"b c<d')).toBe("a_b_c_d");
    expect(safeId("1st")).toBe("x1st");
  });
});
