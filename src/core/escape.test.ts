import { describe, expect, it } from "vitest";
import { escapeBytes, unescapeBytes } from "./escape.js";

describe("escapeBytes", () => {
  it("keeps valid UTF-8 and escapes everything else reversibly", () => {
    const bytes = Buffer.concat([Buffer.from("220 héllo \\ "), Buffer.from([0x00, 0xff, 0xc3, 0x07, 0x7f])]);
    const text = escapeBytes(bytes);
    expect(text).toBe("220 héllo \\\\ \\x00\\xff\\xc3\\x07\\x7f");
    expect(unescapeBytes(text).equals(bytes)).toBe(true);
  });

  it("round-trips random bytes", () => {
    for (let k = 0; k < 200; k++) {
      const bytes = Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)));
      expect(unescapeBytes(escapeBytes(bytes)).equals(bytes)).toBe(true);
    }
  });

  it("rejects overlong and surrogate encodings", () => {
    expect(escapeBytes(Buffer.from([0xc0, 0xaf]))).toBe("\\xc0\\xaf");
    expect(escapeBytes(Buffer.from([0xed, 0xa0, 0x80]))).toBe("\\xed\\xa0\\x80");
  });
});
