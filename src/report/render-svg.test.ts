import { describe, expect, it } from "vitest";
import { DotGraph } from "./dot.js";
import { renderSvg } from "./render-svg.js";

/** Every element name Graphviz's SVG for our graphs uses; anything else would be injected. */
const GRAPHVIZ_ELEMENTS = new Set(["svg", "title", "g", "polygon", "ellipse", "path", "text", "polyline"]);

function elementNames(svg: string): string[] {
  return [...svg.matchAll(/<\/?([A-Za-z][\w:-]*)/g)].map((m) => m[1] as string);
}

const HOSTILE = [
  '"quoted" name',
  "back\\slash\\",
  "</svg><script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "&lt;script&gt; &#60;b&#62;",
  "\\N \\G \\l",
  "rtl \u202Eevil",
  "new\nline",
  "emoji 📬 bücher",
];

describe("renderSvg", () => {
  it("escapes hostile labels and ids so the SVG cannot be injected", async () => {
    const graph = new DotGraph("graph", "hostile </title><script>x</script>");
    HOSTILE.forEach((text, i) => {
      graph.node(text, { label: text });
      if (i > 0) graph.edge(HOSTILE[i - 1] as string, text, { label: text });
    });
    const svg = await renderSvg(graph.toString());

    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg.match(/<svg\b/g)).toHaveLength(1);
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
    for (const name of elementNames(svg)) expect(GRAPHVIZ_ELEMENTS).toContain(name);
    expect(svg).not.toMatch(/<script|<img/i);
    for (const tag of svg.match(/<[^>]*>/g) ?? []) expect(tag).not.toMatch(/\son\w+=/i);

    // The text is shown as typed.
    expect(svg).toContain("&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(svg).toContain("&amp;lt;script&amp;gt; &amp;#60;b&amp;#62;");
    expect(svg).toContain("\\N \\G \\l");
    expect(svg).toContain("back\\slash\\<");
    expect(svg).toContain("&quot;quoted&quot; name");
    expect(svg).toContain("emoji 📬 bücher");
    expect(svg).toContain("rtl \\u{202e}evil");
  });

  it("is self-contained and titled: no prolog, DOCTYPE, comments or links; <title> first", async () => {
    const graph = new DotGraph("graph", "a & b");
    graph.edge("a", "b");
    const svg = await renderSvg(graph.toString());
    expect(svg).not.toMatch(/<\?xml|<!DOCTYPE|<!--|href=|url\(/);
    expect(svg).toMatch(/^<svg role="img"[^>]*>\n<title>a &amp; b<\/title>/);

    const titled = await renderSvg(graph.toString(), { title: 'Cluster "x" <1>' });
    expect(titled).toMatch(/^<svg[^>]*>\n<title>Cluster &#34;x&#34; &#60;1&#62;<\/title>/);
  });

  it("prefixes ids so several graphs can share a page", async () => {
    const graph = new DotGraph("graph", "G").edge("a", "b");
    const svg = await renderSvg(graph.toString(), { idPrefix: "c1-" });
    expect(svg).toContain('id="c1-graph0"');
    expect(svg).toContain('id="c1-node1"');
    expect(svg).not.toMatch(/ id="(?!c1-)/);
    await expect(renderSvg(graph.toString(), { idPrefix: '"><x' })).rejects.toThrow(/id prefix/);
  });

  it("loads the wasm once and serves concurrent renders", async () => {
    const dot = new DotGraph("digraph", "G").edge("a", "b").toString();
    const svgs = await Promise.all([renderSvg(dot), renderSvg(dot), renderSvg(dot)]);
    expect(new Set(svgs).size).toBe(1);
  });
});
