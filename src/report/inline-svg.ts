/**
 * Checks and small rewrites for SVG placed directly in report.html: the page must not run or
 * fetch anything, so an SVG with a script, an event handler, an external reference or non-SVG
 * markup is refused rather than inlined; and several charts on one page must not share ids.
 */
import { escapeHtml } from "./html-escape.js";

/**
 * The SVG drawing elements charts and graphs use. An allowlist, not a blocklist: an HTML tag such
 * as <p> inside inline SVG makes the HTML parser leave SVG mode, so only drawing is let through.
 */
const DRAWING_ELEMENTS = new Set([
  "svg",
  "g",
  "path",
  "rect",
  "circle",
  "ellipse",
  "line",
  "polyline",
  "polygon",
  "text",
  "tspan",
  "title",
  "desc",
  "defs",
  "clippath",
  "lineargradient",
  "radialgradient",
  "stop",
  "pattern",
  "mask",
  "marker",
  "symbol",
]);

const TAG_NAME = /<(\/?)([A-Za-z][\w:.-]*)/y;
const ATTRIBUTE = /\s+([^\s=>/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?/y;
const TAG_END = /\s*\/?>/y;

/**
 * Throws naming `what` (e.g. `figure "clusters"`) unless `svg` is one inert <svg> element. Tags are
 * read attribute by attribute (quotes respected), so data text such as an aria-label reading
 * "x onload=y" is not mistaken for a handler, while a real handler or external link is refused.
 */
export function assertInertSvg(svg: string, what: string): void {
  const text = svg.trim();
  if (!text.startsWith("<svg") || !text.endsWith("</svg>"))
    throw new Error(`${what}: not a single <svg> element`);
  let at = text.indexOf("<");
  while (at >= 0) {
    TAG_NAME.lastIndex = at;
    const name = TAG_NAME.exec(text);
    if (name === null)
      throw new Error(`${what}: SVG contains markup other than elements: ${excerpt(text, at)}`);
    const element = (name[2] as string).toLowerCase();
    if (!DRAWING_ELEMENTS.has(element)) throw new Error(`${what}: SVG contains a <${element}> element`);
    let end = TAG_NAME.lastIndex;
    for (;;) {
      ATTRIBUTE.lastIndex = end;
      const attribute = ATTRIBUTE.exec(text);
      if (attribute === null) break;
      assertInertAttribute((attribute[1] as string).toLowerCase(), unquote(attribute[2] ?? ""), what);
      end = ATTRIBUTE.lastIndex;
    }
    TAG_END.lastIndex = end;
    if (TAG_END.exec(text) === null)
      throw new Error(`${what}: SVG has a malformed tag: ${excerpt(text, at)}`);
    at = text.indexOf("<", TAG_END.lastIndex);
  }
}

function assertInertAttribute(name: string, value: string, what: string): void {
  const external =
    name.startsWith("on") ||
    ((name === "href" || name.endsWith(":href")) && !value.startsWith("#")) ||
    /url\(\s*(?!["']?#)/i.test(value);
  if (external)
    throw new Error(`${what}: SVG has an active or external attribute: ${name}="${value.slice(0, 60)}"`);
}

function unquote(value: string): string {
  return /^["']/.test(value) ? value.slice(1, -1) : value;
}

function excerpt(text: string, at: number): string {
  return JSON.stringify(text.slice(at, at + 60));
}

/** Prefixes every id="…" and the url(#…) / href="#…" that point at them. */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\sid="([^"]*)"/g, (_, id: string) => ` id="${prefix}${id}"`)
    .replace(/url\(#([^)]*)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/(\s(?:xlink:)?href=")#([^"]*)"/g, (_, attr: string, id: string) => `${attr}#${prefix}${id}"`);
}

/** Gives the root <svg> an accessible name (role="img", aria-label and a <title>). */
export function labelSvg(svg: string, label: string): string {
  const text = escapeHtml(label);
  return svg.replace(
    /<svg\b([^>]*)>/,
    (_, attrs: string) => `<svg role="img" aria-label="${text}"${attrs}><title>${text}</title>`,
  );
}
