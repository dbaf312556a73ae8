/**
 * DOT → SVG in-process with Graphviz compiled to WebAssembly (no graphviz binary needed), made
 * ready to inline in a static HTML page: no XML prolog, DOCTYPE (an external DTD reference) or
 * comments, a <title> as the first child of <svg>, a viewBox wide enough for every text as the
 * browser draws it (svg-text-fit.ts), and a final check that nothing active or external (scripts,
 * links, images, event handlers) is in it.
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { textWidth } from "./graph-font.js";
import { fitViewBoxToText } from "./svg-text-fit.js";

export interface RenderOptions {
  /** the SVG's <title>; default: the DOT graph's name */
  title?: string;
  /**
   * prefix for every id="…" Graphviz writes (graph0, node1, edge1, …) so several graphs can be
   * inlined in one page without duplicate ids; letters, digits, "-" and "_" only
   */
  idPrefix?: string;
}

// The wasm module is large (~2 MB): load it once per process and reuse it for every graph.
let graphvizLoading: Promise<Graphviz> | undefined;

function graphviz(): Promise<Graphviz> {
  graphvizLoading ??= Graphviz.load();
  return graphvizLoading;
}

export async function renderSvg(dot: string, options: RenderOptions = {}): Promise<string> {
  const raw = (await graphviz()).dot(dot, "svg");
  return inlineReady(fitViewBoxToText(raw, textWidth), options);
}

function inlineReady(raw: string, options: RenderOptions): string {
  const start = raw.indexOf("<svg");
  if (start < 0) throw new Error("Graphviz returned no <svg> element");
  let svg = raw.slice(start).replace(/<!--[\s\S]*?-->\n?/g, "");
  if (options.idPrefix !== undefined) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(options.idPrefix)) {
      throw new Error(`not a usable id prefix: ${JSON.stringify(options.idPrefix)}`);
    }
    svg = svg.replace(/ id="/g, ` id="${options.idPrefix}`);
  }
  // Graphviz puts the graph's name, already XML-escaped, in the first <title> (that of graph0).
  const title =
    options.title !== undefined ? xmlText(options.title) : (/<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? "");
  svg = svg.replace(
    /<svg\b[^>]*>/,
    (open) => `${open.replace(/^<svg/, '<svg role="img"')}\n<title>${title}</title>`,
  );
  assertInert(svg);
  return svg;
}

function xmlText(text: string): string {
  return text.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Defence in depth: the DOT writers never set URL, href, image or tooltip, and Graphviz escapes
 * `<` in text, so every `<` left is one of its own tags. Fail loudly rather than emit a graph a
 * report page would run or fetch from.
 */
function assertInert(svg: string): void {
  for (const tag of svg.match(/<[^>]*>/g) ?? []) {
    if (
      /^<\/?(?:script|foreignObject|image|a|use|iframe|style|object|embed)\b/i.test(tag) ||
      /\s(?:[a-z]+:)?href\s*=|\son[a-z]+\s*=|url\(/i.test(tag)
    ) {
      throw new Error(`Graphviz SVG contains an active or external element: ${tag.slice(0, 80)}`);
    }
  }
}
