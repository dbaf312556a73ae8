import { describe, expect, it } from "vitest";
import { assertInertSvg, labelSvg, prefixSvgIds } from "./inline-svg.js";

const ok = (inner: string, attrs = "") =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${attrs}>${inner}</svg>`;

describe("assertInertSvg", () => {
  it("accepts drawing elements, local references and handler-like text in attribute values", () => {
    expect(() =>
      assertInertSvg(
        ok(
          '<defs><clipPath id="c1"><rect width="5" height="5"/></clipPath></defs>' +
            '<g clip-path="url(#c1)"><path aria-label="product: x onload=alert(1) &gt; y" d="M0,0h1"/>' +
            "<text>a &lt;b&gt; c</text></g>",
        ),
        "chart x",
      ),
    ).not.toThrow();
  });

  it.each([
    ["a script", ok("<script>alert(1)</script>")],
    ["an event handler", ok('<rect width="1" height="1" onclick="alert(1)"/>')],
    ["a handler on the root", ok("<g/>", ' onload="alert(1)"')],
    ["an external link", ok('<a href="https://example.com/"><text>x</text></a>')],
    ["an external image", ok('<image href="http://192.0.2.1/x.png"/>')],
    ["an external paint", ok('<rect fill="url(http://192.0.2.1/p#x)"/>')],
    ["foreign content", ok("<foreignObject><div>x</div></foreignObject>")],
    ["HTML that leaves SVG mode", ok("<p>x</p><style>body{}</style>")],
    ["a comment", ok("<!-- x -->")],
    ["markup after the root", `${ok("")}<img src=x onerror=alert(1)>`],
    ["an unquoted handler", ok("<rect onmouseover=alert(1) />")],
  ])("refuses %s", (_, svg) => {
    expect(() => assertInertSvg(svg, 'figure "f"')).toThrow(/^figure "f": /);
  });
});

describe("prefixSvgIds", () => {
  it("prefixes ids and the references to them, nothing else", () => {
    const svg = ok(
      '<clipPath id="clip1"/><g clip-path="url(#clip1)"><use href="#clip1"/></g><text>id="x"</text>',
    );
    const prefixed = prefixSvgIds(svg, "chart-a-");
    expect(prefixed).toContain('id="chart-a-clip1"');
    expect(prefixed).toContain("url(#chart-a-clip1)");
    expect(prefixed).toContain('href="#chart-a-clip1"');
  });
});

describe("labelSvg", () => {
  it("names the root element with escaped text", () => {
    const labelled = labelSvg(ok("<g/>"), "Servers <by> product");
    expect(labelled).toMatch(/^<svg role="img" aria-label="Servers &lt;by&gt; product" xmlns=/);
    expect(labelled).toContain("<title>Servers &lt;by&gt; product</title><g/>");
  });
});
