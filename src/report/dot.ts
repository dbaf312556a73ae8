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

/** Statements of a graph or subgraph body; subgraphs nest. */
export class DotBlock {
  protected readonly lines: string[] = [];

  constructor(
    protected readonly edgeOperator: "--" | "->",
    protected readonly depth: number,
  ) {}

  /** Attributes of the (sub)graph itself: label, rankdir, … */
  set(attributes: DotAttributes): this {
    return this.statement(`graph${attributeList(attributes)}`);
  }

  nodeDefaults(attributes: DotAttributes): this {
    return this.statement(`node${attributeList(attributes)}`);
  }

  edgeDefaults(attributes: DotAttributes): this {
    return this.statement(`edge${attributeList(attributes)}`);
  }

  node(id: string, attributes: DotAttributes = {}): this {
    return this.statement(`${dotQuote(id)}${attributeList(attributes)}`);
  }

  edge(from: string, to: string, attributes: DotAttributes = {}): this {
    return this.statement(
      `${dotQuote(from)} ${this.edgeOperator} ${dotQuote(to)}${attributeList(attributes)}`,
    );
  }

  /** A subgraph; an id starting with "cluster" is drawn as a box by the dot engine. */
  subgraph(id: string, build: (block: DotBlock) => void): this {
    const inner = new DotBlock(this.edgeOperator, this.depth + 1);
    build(inner);
    this.statement(`subgraph ${dotQuote(id)} {`);
    this.lines.push(...inner.lines);
    return this.statement("}");
  }

  private statement(text: string): this {
    this.lines.push(`${"  ".repeat(this.depth)}${text}`);
    return this;
  }
}

/** A whole graph: `new DotGraph("graph", "name")…toString()`. */
export class DotGraph extends DotBlock {
  constructor(
    private readonly kind: "graph" | "digraph",
    private readonly name: string,
  ) {
    super(kind === "graph" ? "--" : "->", 1);
  }

  override toString(): string {
    return `${this.kind} ${dotQuote(this.name)} {\n${this.lines.join("\n")}\n}\n`;
  }
}
