/**
 * A tiny writer for Graphviz DOT source with correct quoting of ids and labels.
 *
 * Hand-written on purpose: DOT is a handful of statement forms, the npm DOT writers are small and
 * unmaintained, and the builder inside @hpcc-js/wasm-graphviz needs the wasm loaded first, so a
 * synchronous `clusterDot()` could not use it. What matters is the escaping, tested in dot.test.ts:
 *
 * - Every id and value is written as a quoted string, so no input can end a statement, open an
 *   HTML-like label (`<...>`) or be read as a keyword.
 * - Inside quotes, `"` and `\` are backslash-escaped. Graphviz gives `\N`, `\G`, `\n`, `\l`, … a
 *   meaning inside labels; doubling every backslash keeps a name's backslashes literal.
 * - Graphviz decodes HTML entities (`&lt;`, `&#60;`) inside labels; writing `&` as `&amp;` keeps a
 *   name that contains an entity shown as typed.
 * - Control characters and bidirectional overrides cannot reach a label: `visibleText` turns them
 *   into `\xNN` / `\u{NNNN}` text, and lone UTF-16 surrogates become U+FFFD.
 * Graphviz then escapes `<`, `>`, `&` and `"` itself when it writes SVG (render-svg.test.ts).
 */

export type DotValue = string | number | boolean;
export type DotAttributes = Readonly<Record<string, DotValue | undefined>>;

/** Attributes whose value Graphviz reads as an escString (line breaks, `\N`, entities). */
const TEXT_ATTRIBUTES = new Set(["label", "xlabel", "headlabel", "taillabel", "tooltip", "comment"]);

/** C0/C1 controls, DEL, zero-width/bidi marks and overrides, line/paragraph separators, BOM. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Untrusted text (a host name, a banner) made safe to show on one line: invisible and control
 * characters, newlines included, become visible escapes, so a name cannot fake an extra label line.
 */
export function visibleText(text: string): string {
  return text.replace(LONE_SURROGATE, "\ufffd").replace(INVISIBLE, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** `text` cut to at most `max` characters (whole code points), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join("")}…`;
}

/** A quoted DOT id or plain attribute value (colour, shape, …). */
export function dotQuote(text: string): string {
  const safe = visibleText(text).replace(/[\\"]/g, (ch) => `\\${ch}`);
  return `"${safe}"`;
}

/**
 * A quoted label: each `\n` in `text` is a centred line break; everything else is shown literally.
 * Callers pass untrusted parts through `visibleText` first so those cannot add line breaks.
 */
export function dotLabel(text: string): string {
  const lines = text.split("\n").map((line) =>
    visibleText(line)
      .replace(/[\\"]/g, (ch) => `\\${ch}`)
      .replace(/&/g, "&amp;"),
  );
  return `"${lines.join("\\n")}"`;
}

function attributeList(attributes: DotAttributes): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a DOT attribute name: ${name}`);
    const text = String(value);
    parts.push(`${name}=${TEXT_ATTRIBUTES.has(name) ? dotLabel(text) : dotQuote(text)}`);
  }
  return parts.length === 0 ? "" : ` [${parts.join(", ")}]`;
}

/**
 * Measures one line of label text in points at a font size: given to a DotGraph, it makes every
 * box-shaped node at least that wide (plus its margins), for when Graphviz's own estimate of the
 * text is narrower than what the browser will draw (graph-font.ts).
 */
export type TextMeasure = (line: string, fontsize: number) => number;

/** Graphviz's defaults for the attributes a node's size depends on. */
const DEFAULT_FONTSIZE = 14;
const DEFAULT_MARGIN_X = 0.11;
const DEFAULT_MIN_WIDTH = 0.75;
/** Graphviz's space between a cluster's nodes and its border, and what a label is kept from it. */
const DEFAULT_CLUSTER_MARGIN = 8;
const CLUSTER_LABEL_PAD = 4;
/** Shapes whose label area is the node's width less its margins. */
const BOX_SHAPES = new Set(["box", "rect", "rectangle", "square", "plaintext", "plain"]);

/** Statements of a graph or subgraph body; subgraphs nest. */
export class DotBlock {
  protected readonly lines: string[] = [];
  /** node defaults in force here, inherited by subgraphs as Graphviz does */
  private readonly nodeDefaultValues: Record<string, DotValue>;
  /** this block's own graph attributes, and the font size its label is drawn at (inherited) */
  private readonly graphValues: Record<string, DotValue> = {};
  private graphFontsize: number;
  /** the widest node this block sized, in points */
  private widestNode = 0;

  constructor(
    protected readonly edgeOperator: "--" | "->",
    protected readonly depth: number,
    private readonly measure?: TextMeasure,
    inheritedNodeDefaults: Readonly<Record<string, DotValue>> = {},
    inheritedFontsize = DEFAULT_FONTSIZE,
  ) {
    this.nodeDefaultValues = { ...inheritedNodeDefaults };
    this.graphFontsize = inheritedFontsize;
  }

  /** Attributes of the (sub)graph itself: label, rankdir, … */
  set(attributes: DotAttributes): this {
    for (const [name, value] of Object.entries(attributes))
      if (value !== undefined) this.graphValues[name] = value;
    if (attributes.fontsize !== undefined) this.graphFontsize = Number(attributes.fontsize);
    return this.statement(`graph${attributeList(attributes)}`);
  }

  nodeDefaults(attributes: DotAttributes): this {
    for (const [name, value] of Object.entries(attributes))
      if (value !== undefined) this.nodeDefaultValues[name] = value;
    return this.statement(`node${attributeList(attributes)}`);
  }

  edgeDefaults(attributes: DotAttributes): this {
    return this.statement(`edge${attributeList(attributes)}`);
  }

  node(id: string, attributes: DotAttributes = {}): this {
    return this.statement(`${dotQuote(id)}${attributeList(this.sized(id, attributes))}`);
  }

  edge(from: string, to: string, attributes: DotAttributes = {}): this {
    return this.statement(
      `${dotQuote(from)} ${this.edgeOperator} ${dotQuote(to)}${attributeList(attributes)}`,
    );
  }

  /** A subgraph; an id starting with "cluster" is drawn as a box by the dot engine. */
  subgraph(id: string, build: (block: DotBlock) => void): this {
    const inner = new DotBlock(
      this.edgeOperator,
      this.depth + 1,
      this.measure,
      this.nodeDefaultValues,
      this.graphFontsize,
    );
    build(inner);
    if (id.startsWith("cluster")) inner.fitClusterLabel();
    this.statement(`subgraph ${dotQuote(id)} {`);
    this.lines.push(...inner.lines);
    return this.statement("}");
  }

  /** With a measure, a box node gets a width that holds its label as the browser draws it. */
  private sized(id: string, attributes: DotAttributes): DotAttributes {
    if (!this.measure) return attributes;
    const get = (name: string) => attributes[name] ?? this.nodeDefaultValues[name];
    const shape = String(get("shape") ?? "ellipse");
    const fixed = String(get("fixedsize") ?? "false");
    if (!BOX_SHAPES.has(shape) || fixed === "true" || fixed === "shape") return attributes;
    const fontsize = Number(get("fontsize") ?? DEFAULT_FONTSIZE);
    const margin = get("margin");
    const marginX =
      shape === "plain" ? 0 : margin === undefined ? DEFAULT_MARGIN_X : Number(String(margin).split(",")[0]);
    // what Graphviz shows: label lines as dotLabel writes them, or the node's id for no label
    const label = String(get("label") ?? id);
    const measure = this.measure;
    const text = Math.max(0, ...label.split("\n").map((line) => measure(visibleText(line), fontsize)));
    const needed = Math.ceil(((text + 2 * 72 * marginX) / 72) * 100) / 100;
    const width = Math.max(needed, Number(get("width") ?? DEFAULT_MIN_WIDTH));
    this.widestNode = Math.max(this.widestNode, 72 * width);
    return { ...attributes, width };
  }

  /**
   * A cluster is as wide as Graphviz's estimate of its label, which can be narrower than the
   * browser draws it: its margin (between its nodes and its border, 8 points by default) is
   * widened so that even the widest node alone leaves room for the measured label.
   */
  private fitClusterLabel(): void {
    const label = this.graphValues.label;
    if (!this.measure || label === undefined || this.graphValues.margin !== undefined) return;
    const measure = this.measure;
    const fontsize = this.graphFontsize;
    const text = Math.max(
      0,
      ...String(label)
        .split("\n")
        .map((line) => measure(visibleText(line), fontsize)),
    );
    const margin = Math.ceil((text - this.widestNode) / 2 + CLUSTER_LABEL_PAD);
    if (margin > DEFAULT_CLUSTER_MARGIN) this.set({ margin });
  }

  private statement(text: string): this {
    this.lines.push(`${"  ".repeat(this.depth)}${text}`);
    return this;
  }
}

export interface DotGraphOptions {
  /** size box nodes from this measure of their labels rather than from Graphviz's estimate */
  measure?: TextMeasure;
}

/** A whole graph: `new DotGraph("graph", "name")…toString()`. */
export class DotGraph extends DotBlock {
  constructor(
    private readonly kind: "graph" | "digraph",
    private readonly name: string,
    options: DotGraphOptions = {},
  ) {
    super(kind === "graph" ? "--" : "->", 1, options.measure);
  }

  override toString(): string {
    return `${this.kind} ${dotQuote(this.name)} {\n${this.lines.join("\n")}\n}\n`;
  }
}
