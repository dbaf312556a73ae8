/**
 * Escaping for everything the report takes from its model: text and attribute values in HTML,
 * and JSON placed inside a <script type="application/json"> data block.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Safe both as element text and inside a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * JSON that cannot end its <script> element early (`</script>`) or open a comment (`<!--`):
 * every `<`, `>` and `&` becomes a \u escape, which JSON.parse reads back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** An id usable in id="…", href="#…" and CSS selectors without quoting: anything else becomes "_". */
export function safeId(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z]/.test(cleaned) ? cleaned : `x${cleaned}`;
}
