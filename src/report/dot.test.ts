import { describe, expect, it } from "vitest";
import { clip, DotGraph, dotLabel, dotQuote, visibleText } from "./dot.js";

describe("dotQuote", () => {
  it("quotes ids so addresses and odd names cannot break a statement", () => {
    expect(dotQuote("::1")).toBe('"::1"');
    expect(dotQuote("127.0.0.1")).toBe('"127.0.0.1"');
    expect(dotQuote('a"b')).toBe('"a\\"b"');
    expect(dotQuote("trailing\\")).toBe('"trailing\\\\"');
    expect(dotQuote("graph {")).toBe('"graph {"');
  });
});

describe("dotLabel", () => {
  it("keeps backslash sequences literal instead of Graphviz's \\N, \\G, \\l", () => {
    expect(dotLabel("x\\N\\G\\l")).toBe('"x\\\\N\\\\G\\\\l"');
  });

  it("turns newlines into line breaks and everything else into literal text", () => {
    expect(dotLabel('127.77.1.1\nmail "one"')).toBe('"127.77.1.1\\nmail \\"one\\""');
  });

  it("escapes & so Graphviz does not decode entities a name happens to contain", () => {
    expect(dotLabel("&lt;script&gt; &#60;")).toBe('"&amp;lt;script&amp;gt; &amp;#60;"');
  });

  it("passes unicode through", () => {
    expect(dotLabel("mx.bücher.de 📬")).toBe('"mx.bücher.de 📬"');
  });
});

describe("visibleText", () => {
  it("makes control, bidi and line-separator characters visible and repairs lone surrogates", () => {
    expect(visibleText("a\nb\r\u0000")).toBe("a\\x0ab\\x0d\\x00");
    expect(visibleText("evil\u202Egpj.exe")).toBe("evil\\u{202e}gpj.exe");
    expect(visibleText("x\u2028y")).toBe("x\\u{2028}y");
    expect(visibleText("bad\ud800end")).toBe("bad\ufffdend");
    expect(visibleText("ok 😀 é")).toBe("ok 😀 é");
  });

  it("keeps a hostile name on one label line", () => {
    expect(dotLabel(visibleText("name\n10.0.0.1"))).toBe('"name\\\\x0a10.0.0.1"');
  });
});

describe("clip", () => {
  it("cuts on code points and marks the cut", () => {
    expect(clip("abcdef", 4)).toBe("abc…");
    expect(clip("😀😀😀", 2)).toBe("😀…");
    expect(clip("abc", 3)).toBe("abc");
  });
});

describe("DotGraph", () => {
  it("writes a graph with attributes, nodes, edges and subgraphs", () => {
    const graph = new DotGraph("graph", "G");
    graph.set({ rankdir: "LR", label: "two\nlines" });
    graph.nodeDefaults({ shape: "box" });
    graph.node("::1", { label: "::1", penwidth: 2 });
    graph.edge("::1", "127.0.0.1", { color: "#D55E00", style: undefined });
    graph.subgraph("cluster_x", (sub) => sub.node("n", { fontsize: 9 }));
    expect(graph.toString()).toBe(
      [
        'graph "G" {',
        '  graph [rankdir="LR", label="two\\nlines"]',
        '  node [shape="box"]',
        '  "::1" [label="::1", penwidth="2"]',
        '  "::1" -- "127.0.0.1" [color="#D55E00"]',
        '  subgraph "cluster_x" {',
        '    "n" [fontsize="9"]',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("uses -> in a digraph", () => {
    expect(new DotGraph("digraph", "D").edge("a", "b").toString()).toContain('"a" -> "b"');
  });

  it("refuses attribute names that are not identifiers", () => {
    expect(() => new DotGraph("graph", "G").node("a", { "x]; evil": 1 })).toThrow(/attribute name/);
  });
});

describe("DotGraph with a text measure", () => {
  // 10 points a character at any size: easy to check by hand
  const measure = (line: string) => 10 * Array.from(line).length;

  it("gives a box node the width its measured label and margins need", () => {
    const graph = new DotGraph("graph", "G", { measure });
    graph.nodeDefaults({ shape: "box", margin: "0.5,0.1" });
    graph.node("a", { label: `${"x".repeat(36)}\nshort` }); // 360 + 2 × 36 points = 6 inches
    graph.node("b", { label: "x" }); // 10 + 72 points
    graph.node("c", { label: "x".repeat(72), fixedsize: true }); // the caller's size stands
    graph.node("d", { label: "x".repeat(72), shape: "ellipse" }); // not a box: Graphviz's own rule
    const text = graph.toString();
    expect(text).toContain('"a" [label="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\nshort", width="6"]');
    expect(text).toContain('"b" [label="x", width="1.14"]');
    expect(text).not.toMatch(/"[cd]" \[[^\]]*width/);
  });

  it("lets subgraphs inherit node defaults, and widens a cluster's margin for its label", () => {
    const graph = new DotGraph("graph", "G", { measure });
    graph.nodeDefaults({ shape: "box", margin: 0 });
    graph.subgraph("cluster_legend", (legend) => {
      legend.set({ label: "x".repeat(20) }); // 200 points over a 54-point node
      legend.node("n", { label: "x" });
    });
    const text = graph.toString();
    expect(text).toContain('"n" [label="x", width="0.75"]'); // narrower than Graphviz's minimum: kept at it
    expect(text).toContain('graph [margin="77"]'); // (200 - 54) / 2 + 4
  });
});
