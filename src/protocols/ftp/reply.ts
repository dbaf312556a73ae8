/**
 * Reading FTP replies (RFC 959 §4.2): a three-digit code and text; a multi-line reply opens
 * with `123-` and ends at the first line that starts with the same code and a space. Lines in
 * between may say anything (RFC 959 lets them start with any text), so only the closing line is
 * parsed. Hand-written, like SMTP's reader: no maintained library reads a control connection
 * without also wanting to log in.
 */
import { ChannelError } from "../../core/status.js";
import { ProtocolMismatch } from "../failure.js";
import type { Channel } from "../types.js";

/** Lines accepted in one reply (a FEAT list has a dozen, a long HELP a few dozen). */
export const MAX_REPLY_LINES = 200;

export interface FtpReply {
  code: number;
  /** every line as received (escaped), the code included */
  lines: string[];
}

const FIRST = /^(\d{3})([ -])?(.*)$/;

export async function readFtpReply(channel: Channel, deadline: number): Promise<FtpReply> {
  const first = await channel.readText(deadline);
  const match = FIRST.exec(first);
  if (!match) throw new ProtocolMismatch("FTP", first);
  const code = Number(match[1]);
  const lines = [first];
  if (match[2] !== "-") return { code, lines };
  const closing = `${match[1]} `;
  for (;;) {
    const line = await channel.readText(deadline);
    lines.push(line);
    if (line.startsWith(closing) || line === match[1]) return { code, lines };
    if (lines.length >= MAX_REPLY_LINES)
      throw new ChannelError("too-long", `a reply of more than ${MAX_REPLY_LINES} lines`);
  }
}

/** FEAT's feature lines: the lines between the opening `211-` and the closing `211 `, trimmed. */
export function featureLines(reply: FtpReply): string[] | null {
  if (reply.code !== 211) return null;
  return reply.lines
    .slice(1, -1)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** Whether FEAT offers TLS on the control connection (RFC 4217: `AUTH TLS`, often `AUTH TLS;SSL`). */
export function offersAuthTls(features: readonly string[] | null): boolean {
  return features?.some((line) => /^AUTH\b.*\bTLS\b/i.test(line)) ?? false;
}
