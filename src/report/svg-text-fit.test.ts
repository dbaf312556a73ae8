import { describe, expect, it } from "vitest";
import { fitViewBoxToText } from "./svg-text-fit.js";

/** The shape of Graphviz's SVG: a 100-point-wide drawing whose root group is moved by (4, 46). */
function graphvizSvg(title: string): string {
  return [
    '<svg width="100pt" height="50pt"',
    ' viewBox="0.00 0.00 100.00 50.00" xmlns="http://www.w3.org/2000/svg">',
    '<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 46)">',
    "<title>G</title>",
    '<polygon fill="white" stroke="none" points="-4,4 -4,-46 96,-46 96,4 -4,4"/>',
    `<text xml:space="preserve" text-anchor="middle" x="46" y="-30" font-family="sans-serif" font-size="10.00">${title}</text>`,
    "</g>",
    "</svg>",
  ].join("\n");
}

// one point a character per point of font size: a 10-point text of n characters is 10n wide
const measure = (line: string, fontsize: number) => Array.from(line).length * fontsize;

describe("fitViewBoxToText", () => {
  it("leaves a drawing alone when its texts fit", () => {
    const svg = graphvizSvg("a&#45;b");
    expect(fitViewBoxToText(svg, measure)).toBe(svg);
  });

  it("widens the viewBox, the width and the background to hold a centred title", () => {
    // 13 characters: 130 points centred on 46 + 4 = 50, so from -15 to 115
    const fitted = fitViewBoxToText(graphvizSvg("key&#45;reuse &amp; x"), measure);
    expect(fitted).toContain('viewBox="-15.00 0.00 130.00 50.00"');
    expect(fitted).toContain('width="130.00pt"');
    expect(fitted).toContain('points="-19.00,4.00 -19.00,-46.00 111.00,-46.00 111.00,4.00 -19.00,4.00"');
  });

  it("leaves SVG that is not Graphviz's layout as it is", () => {
    const svg = '<svg viewBox="0 0 10 10"><text x="0">far too long for ten points</text></svg>';
    expect(fitViewBoxToText(svg, measure)).toBe(svg);
  });
});
