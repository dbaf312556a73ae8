import { describe, expect, it } from "vitest";
import { LineEncoder } from "./line-encoder.js";

describe("LineEncoder", () => {
  it("gives the lines as UTF-8, each with its newline, and starts again after take", () => {
    const encoder = new LineEncoder();
    encoder.add('{"banner":"220 mx ESMTP"}');
    encoder.add('{"banner":"220 \\u00e9t\\u00e9 é 😀"}');
    const first = encoder.take();
    expect(Buffer.from(first).toString("utf8")).toBe(
      '{"banner":"220 mx ESMTP"}\n{"banner":"220 \\u00e9t\\u00e9 é 😀"}\n',
    );
    expect(encoder.byteLength).toBe(0);
    encoder.add("x");
    expect(Buffer.from(encoder.take()).toString("utf8")).toBe("x\n");
  });

  it("grows past its first buffer without losing what it holds", () => {
    const encoder = new LineEncoder();
    const lines = Array.from({ length: 200 }, (_, i) => `${i}:${"é".repeat(1000)}`);
    for (const line of lines) encoder.add(line);
    expect(Buffer.from(encoder.take()).toString("utf8")).toBe(`${lines.join("\n")}\n`);
  });
});
