/**
 * Widens a Graphviz SVG's viewBox until every <text> fits in it as the browser will draw it.
 *
 * Graphviz sizes the drawing from its own estimate of each text. A graph's title is centred on
 * the drawing, so when the browser's font is wider than that estimate the title runs past both
 * edges and the viewBox cuts it ("ey-reuse cluster … 1 ke"); an edge label at the edge of the
 * drawing is cut alike. Node boxes are sized before layout (dot.ts); this is for text that has no
 * box. Only the width is widened: Graphviz spaces lines by the font size, whatever the font.
 */
import type { TextMeasure } from "./dot.js";

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;

export function fitViewBoxToText(svg: string, measure: TextMeasure): string {
  const open = /<svg\b[^>]*>/.exec(svg)?.[0];
  const viewBox = open
    ? new RegExp(`viewBox="(${NUMBER}) (${NUMBER}) (${NUMBER}) (${NUMBER})"`).exec(open)
    : null;
  // Graphviz's root group: scale first, then translate, as the transform list reads
  const transform = new RegExp(
    `<g id="graph0" class="graph" transform="scale\\((${NUMBER}) (${NUMBER})\\) rotate\\(0\\) translate\\((${NUMBER}) (${NUMBER})\\)"`,
  ).exec(svg);
  if (!open || !viewBox || !transform) return svg; // not Graphviz's layout: nothing known to fit
  const [x, y, width, height] = viewBox.slice(1, 5).map(Number) as [number, number, number, number];
  const [scaleX, , translateX] = transform.slice(1, 4).map(Number) as [number, number, number];

  let left = x;
  let right = x + width;
  for (const text of svg.matchAll(/<text\b([^>]*)>([^<]*)<\/text>/g)) {
    const attributes = text[1] ?? "";
    const at = Number(attribute(attributes, "x") ?? Number.NaN);
    const size = Number(attribute(attributes, "font-size") ?? 14);
    if (!Number.isFinite(at)) continue;
    const w = measure(xmlDecode(text[2] ?? ""), size);
    const anchor = attribute(attributes, "text-anchor") ?? "start";
    const start = anchor === "middle" ? at - w / 2 : anchor === "end" ? at - w : at;
    left = Math.min(left, (start + translateX) * scaleX);
    right = Math.max(right, (start + w + translateX) * scaleX);
  }
  if (left >= x && right <= x + width) return svg;

  const newX = Math.floor(left * 100) / 100;
  const newWidth = Math.ceil((right - newX) * 100) / 100;
  const newOpen = open
    .replace(viewBox[0], `viewBox="${fixed(newX)} ${fixed(y)} ${fixed(newWidth)} ${fixed(height)}"`)
    .replace(new RegExp(`\\bwidth="(${NUMBER})pt"`), (_, points: string) => {
      return `width="${fixed((Number(points) * newWidth) / width)}pt"`;
    });
  return widenBackground(
    svg.replace(open, newOpen),
    newX / scaleX - translateX,
    (newX + newWidth) / scaleX - translateX,
  );
}

/** Graphviz's white background is the root group's first polygon; it is stretched to the new width. */
function widenBackground(svg: string, from: number, to: number): string {
  return svg.replace(
    /(<g id="graph0"[^>]*>\n<title>[^<]*<\/title>\n<polygon fill="white" stroke="none" points=")([^"]*)"/,
    (whole, head: string, points: string) => {
      const ys = points.split(" ").map((point) => Number(point.split(",")[1]));
      if (ys.some((value) => !Number.isFinite(value))) return whole;
      const [top, bottom] = [Math.min(...ys), Math.max(...ys)].map(fixed);
      const [x0, x1] = [from, to].map(fixed);
      return `${head}${x0},${bottom} ${x0},${top} ${x1},${top} ${x1},${bottom} ${x0},${bottom}"`;
    },
  );
}

function attribute(attributes: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(attributes)?.[1];
}

/** The text Graphviz escaped: its named entities and numeric character references. */
function xmlDecode(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(
    /&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-z]+));/g,
    (whole, dec?: string, hex?: string, name?: string) => {
      const code = dec !== undefined ? Number(dec) : hex !== undefined ? Number.parseInt(hex, 16) : undefined;
      if (code === undefined) return named[name ?? ""] ?? whole;
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

function fixed(value: number): string {
  return (Math.round(value * 100) / 100).toFixed(2);
}
