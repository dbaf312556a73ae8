/**
 * Host names, addresses, dates and session ids masked out of a server's text, so that a rule
 * never has to know a host's name, address, clock or session id. Every protocol's greeting goes
 * through it before identification reads it.
 */

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*";
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*";
const CLOCK = "\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\.\\d+)?";
const ZONE = "(?:\\s*(?:[+-]\\d{4}|Z|UTC|GMT|[A-Z]{3,4}T?)(?:\\s*\\([A-Za-z ]{2,30}\\))?)?";
const DATES = [
  // RFC 5322: "Mon, 23 Nov 2026 12:34:30 +0000", with or without the day name
  new RegExp(`(?:${DAY},?\\s+)?\\d{1,2}[\\s-]+${MONTH}[\\s-]+\\d{2,4},?\\s+${CLOCK}${ZONE}`, "g"),
  // ctime: "Mon Nov 23 12:34:30 2026"
  new RegExp(`(?:${DAY},?\\s+)?${MONTH}\\s+\\d{1,2},?\\s+(?:\\d{4}\\s+)?${CLOCK}(?:\\s+\\d{4})?${ZONE}`, "g"),
  // ISO 8601
  /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g,
];
/** not beside "/" or another dot-number: Sendmail's "8.17.1.9/8.17.1.9" is a version pair */
const IPV4 = /(?<![\w./])(?:\d{1,3}\.){3}\d{1,3}(?![\w./])/g;
const IPV6 = /(?<![\w:])(?:IPv6:)?(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi;
/** a dotted name whose last label is not all digits (so "8.17.1.9" and "5.5.2" stay) */
const HOST = /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]\b\.?/gi;
const LOCAL_NAMES = /\b(?:ip6-)?localhost(?:\.localdomain)?\b/gi;
/** queue ids, UUIDs and other per-connection tokens: long runs mixing digits and letters */
const SESSION_ID =
  /\b(?=[0-9A-Za-z-]*\d)(?=[0-9A-Za-z-]*[A-Za-z])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-F]{6,}|[0-9a-f]{10,}|[0-9A-Za-z]{16,})\b/g;

/**
 * Host names, addresses, dates and session ids replaced by `<host>`, `<ip>`, `<date>`, `<id>`.
 * Line by line, a reply code kept apart: "220-foo.example" is code 220 and a host, not the host
 * "220-foo.example".
 */
export function mask(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const code = /^\d{3}(?:[- ]|$)/.exec(line)?.[0] ?? "";
      return code + maskText(line.slice(code.length));
    })
    .join("\n");
}

function maskText(text: string): string {
  let out = text;
  for (const date of DATES) out = out.replace(date, "<date>");
  out = out
    .replace(IPV4, "<ip>")
    .replace(IPV6, (m) => (m.replace(/[^:]/g, "").length >= 2 && /[0-9a-f]/i.test(m) ? "<ip>" : m));
  out = out.replace(HOST, "<host>").replace(LOCAL_NAMES, "<host>");
  return out.replace(SESSION_ID, "<id>");
}
