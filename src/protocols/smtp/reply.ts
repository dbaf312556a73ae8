/**
 * Reading and parsing SMTP replies (RFC 5321 §4.2): "ddd-text" continuation lines, then a final
 * "ddd text" (or bare "ddd") line. The enhanced status code (RFC 3463) is taken from the first
 * line when it follows the code.
 */

import { ChannelError } from "../../core/status.js";
import type { Reply } from "../record.js";
import type { Channel } from "../types.js";

export const MAX_REPLY_LINES = 200;

const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/;

/** A reply whose lines did not follow the SMTP syntax. */
export class NotSmtpError extends Error {
  constructor(readonly raw: string) {
    super(`not an SMTP reply: ${raw.slice(0, 200)}`);
    this.name = "NotSmtpError";
  }
}

/**
 * Reads one whole reply; the deadline covers every line, so a server that drips its reply
 * byte by byte times out like a silent one.
 */
export async function readReply(channel: Channel, deadline: number): Promise<Reply> {
  const lines: string[] = [];
  // the lines as received, joined once at the end: a string grown by += (or a template) is a
  // chain of pieces that JSON.stringify has to flatten later, by then in the old generation
  const raw: string[] = [];
  let code = 0;
  for (;;) {
    const next = channel.readText(deadline);
    const text = typeof next === "string" ? next : await next;
    raw.push(text);
    const separator = replyLineSeparator(text);
    if (separator === null) throw new NotSmtpError(raw.join("\r\n"));
    if (code === 0) code = Number(text.slice(0, 3));
    lines.push(text.slice(4));
    if (separator !== "-") break;
    if (lines.length >= MAX_REPLY_LINES) {
      throw new ChannelError("too-long", `a reply of more than ${MAX_REPLY_LINES} lines`);
    }
  }
  const enhanced = code >= 200 && lines[0] !== undefined ? (ENHANCED.exec(lines[0])?.[1] ?? null) : null;
  raw.push(""); // the last line's CRLF, in the same join: one flat string
  return { code, enhanced, lines, raw: raw.join("\r\n") };
}

/**
 * A reply line is a code of 2xx–5xx, then " ", "-" or nothing (RFC 5321 §4.2): gives what follows
 * the code ("" for nothing), or null for a line that is not one. By hand, not a regular
 * expression: it runs on every line of every session.
 */
function replyLineSeparator(text: string): " " | "-" | "" | null {
  const first = text.charCodeAt(0);
  if (first < 0x32 || first > 0x35 || !isDigit(text.charCodeAt(1)) || !isDigit(text.charCodeAt(2)))
    return null;
  if (text.length === 3) return "";
  const separator = text[3];
  return separator === " " || separator === "-" ? separator : null;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isPositive(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 400;
}

/** The EHLO keywords, upper-cased, without their parameters (first reply line excluded). */
export function ehloKeywords(lines: readonly string[]): string[] {
  return lines.slice(1).map(ehloKeyword);
}

/** One EHLO line's keyword: what comes before the first white space or "=", upper-cased. */
function ehloKeyword(line: string): string {
  return (line.split(/[\s=]/, 1)[0] ?? "").toUpperCase();
}

/**
 * Whether the EHLO reply offers `keyword` (given in upper case), parameters aside: the same
 * answer as ehloKeywords(lines).includes(keyword), without a string per line (it runs on every
 * session, twice). Lines with non-ASCII text where the keyword would be take the slow way.
 */
export function offersKeyword(lines: readonly string[], keyword: string): boolean {
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const verdict = asciiKeywordIs(line, keyword);
    if (verdict ?? ehloKeyword(line) === keyword) return true;
  }
  return false;
}

/** Whether the line's keyword is `keyword`, compared as ASCII; null when non-ASCII text is in the way. */
function asciiKeywordIs(line: string, keyword: string): boolean | null {
  const n = keyword.length;
  for (let k = 0; k <= n && k < line.length; k += 1) if (line.charCodeAt(k) > 0x7f) return null;
  if (line.length < n) return false;
  if (line.length > n) {
    const after = line.charCodeAt(n);
    // what /[\s=]/ matches in ASCII
    if (!(after === 0x3d || after === 0x20 || (after >= 0x09 && after <= 0x0d))) return false;
  }
  for (let k = 0; k < n; k += 1) {
    const want = keyword.charCodeAt(k);
    const got = line.charCodeAt(k);
    if (got !== want && !(want >= 0x41 && want <= 0x5a && got === want + 0x20)) return false;
  }
  return true;
}
