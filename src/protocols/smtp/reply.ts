/**
 * Reading and parsing SMTP replies (RFC 5321 §4.2): "ddd-text" continuation lines, then a final
 * "ddd text" (or bare "ddd") line. The enhanced status code (RFC 3463) is taken from the first
 * line when it follows the code.
 */

import { escapeBytes } from "../../core/escape.js";
import { ChannelError } from "../../core/status.js";
import type { Reply } from "../record.js";
import type { Channel } from "../types.js";

export const MAX_REPLY_LINES = 200;

const REPLY_LINE = /^([2-5]\d\d)([ -]|$)/;
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
  const raw: string[] = [];
  let code = 0;
  for (;;) {
    const bytes = await channel.readLine(deadline);
    const text = escapeBytes(bytes);
    raw.push(text);
    const match = REPLY_LINE.exec(text);
    if (!match) throw new NotSmtpError(raw.join("\r\n"));
    if (code === 0) code = Number(match[1]);
    lines.push(text.slice(4));
    if (match[2] !== "-") break;
    if (lines.length >= MAX_REPLY_LINES) {
      throw new ChannelError("too-long", `a reply of more than ${MAX_REPLY_LINES} lines`);
    }
  }
  const enhanced = code >= 200 && lines[0] !== undefined ? (ENHANCED.exec(lines[0])?.[1] ?? null) : null;
  return { code, enhanced, lines, raw: `${raw.join("\r\n")}\r\n` };
}

export function isPositive(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 400;
}

/** The EHLO keywords, upper-cased, without their parameters (first reply line excluded). */
export function ehloKeywords(lines: readonly string[]): string[] {
  return lines.slice(1).map((line) => (line.split(/[\s=]/, 1)[0] ?? "").toUpperCase());
}
