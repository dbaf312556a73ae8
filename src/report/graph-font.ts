/**
 * The one font of the report's Graphviz drawings, and a conservative measure of text in it.
 *
 * Graphviz (in WebAssembly, without fontconfig) sizes a label from its own per-character tables,
 * and the browser then draws the SVG with whatever font the SVG's font-family resolves to there.
 * The two used to differ: "Helvetica" laid out with Helvetica's widths but drawn in DejaVu Sans
 * (some 14 % wider) wherever Helvetica is not installed, so text ran out of its boxes and a
 * centred title ran past both edges of the viewBox.
 *
 * So Graphviz is told GRAPH_FONT, a generic family that every browser resolves to its own sans
 * serif, and writes the same name into the SVG. Graphviz has no table for a generic family (it
 * falls back to Times, narrower than any sans serif), so what must fit is sized from textWidth
 * instead: node widths and cluster margins (dot.ts) and the viewBox (svg-text-fit.ts).
 */

export const GRAPH_FONT = "sans-serif";

/**
 * Advance widths of U+0020…U+007E in hundredths of an em: per character the widest of DejaVu Sans
 * and Liberation Sans (Arial's and Helvetica's metrics) as Chromium draws them, and Verdana as
 * Graphviz's own table has it, rounded up. Those are the usual defaults for sans-serif on Linux,
 * Windows and macOS, and the widest of the common ones.
 */
// biome-ignore format: sixteen characters a row, so a width is found by its code point
const ASCII_WIDTHS = [
  36, 41, 46, 84, 64, 108, 78, 28, 46, 46, 64, 84, 37, 46, 37, 46,
  64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 46, 46, 84, 84, 84, 56,
  102, 69, 69, 73, 77, 67, 62, 78, 76, 43, 50, 70, 56, 87, 75, 79,
  67, 79, 73, 69, 62, 74, 69, 99, 69, 67, 69, 46, 46, 46, 84, 64,
  64, 62, 64, 55, 64, 62, 36, 64, 64, 28, 35, 60, 28, 98, 64, 62,
  64, 64, 43, 53, 40, 64, 60, 82, 60, 60, 53, 64, 46, 64, 84,
];

/** Characters the graph labels write themselves (clip's ellipsis, pair names, counts), measured alike. */
const OTHER_WIDTHS: ReadonlyMap<string, number> = new Map([
  ["…", 106],
  ["–", 60],
  ["—", 106],
  ["×", 84],
  ["→", 106],
  ["\ufffd", 103],
]);

/** Accented Latin letters and the like: wider than any of them in those fonts. */
const LATIN_WIDTH = 80;
/** The rest of the Basic Multilingual Plane: a CJK ideograph is one em. */
const BMP_WIDTH = 106;
/** Outside it, mostly emoji, which colour-emoji fonts draw wider than an em. */
const ASTRAL_WIDTH = 130;

/**
 * Rendering at small sizes snaps glyph advances to whole pixels in some browsers, which can add a
 * few per cent to a line; this keeps the measure above what is drawn.
 */
const SAFETY = 1.04;

function charWidth(ch: string): number {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x20 && code < 0x7f) return ASCII_WIDTHS[code - 0x20] ?? BMP_WIDTH;
  const known = OTHER_WIDTHS.get(ch);
  if (known !== undefined) return known;
  if (code < 0x0300) return LATIN_WIDTH;
  return code > 0xffff ? ASTRAL_WIDTH : BMP_WIDTH;
}

/** The width in points of one line of `text` at `fontsize` points, at least what a browser draws. */
export function textWidth(text: string, fontsize: number): number {
  let hundredths = 0;
  for (const ch of text) hundredths += charWidth(ch);
  return (hundredths / 100) * fontsize * SAFETY;
}
