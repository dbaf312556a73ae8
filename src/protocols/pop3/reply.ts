/**
 * Reading POP3 replies (RFC 1939 §3, RFC 2449): a status line, `+OK …` or `-ERR …`, and for
 * CAPA a multi-line body after `+OK`, ended by a line holding only "." (a leading "." of a body
 * line is doubled on the wire and undone here).
 */

import { ChannelError } from "../../core/status.js";
import { ProtocolMismatch } from "../failure.js";
import type { Channel } from "../types.js";

/** Body lines accepted in one multi-line reply (a CAPA list has a dozen). */
export const MAX_BODY_LINES = 200;

export interface Pop3Status {
  ok: boolean;
  /** the whole line as received */
  line: string;
  /** what follows `+OK ` / `-ERR ` */
  text: string;
}

/** Status indicators are upper case in RFC 1939; some servers are less careful, so case is ignored. */
const STATUS = /^([+]OK|-ERR)(?:[ \t](.*))?$/i;

export async function readStatus(channel: Channel, deadline: number): Promise<Pop3Status> {
  const line = await channel.readText(deadline);
  const match = STATUS.exec(line);
  if (!match) throw new ProtocolMismatch("POP3", line);
  return { ok: (match[1] as string).toUpperCase() === "+OK", line, text: match[2] ?? "" };
}

/** The body of a multi-line reply, after its `+OK` line; the deadline covers every line. */
export async function readBody(channel: Channel, deadline: number): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await channel.readText(deadline);
    if (line === ".") return lines;
    lines.push(line.startsWith(".") ? line.slice(1) : line);
    if (lines.length >= MAX_BODY_LINES) {
      throw new ChannelError("too-long", `a reply of more than ${MAX_BODY_LINES} lines`);
    }
  }
}

/** Whether a CAPA list names a capability (its first word, case-insensitive). */
export function hasCapability(lines: readonly string[] | null, name: string): boolean {
  return lines?.some((line) => (line.split(/\s/, 1)[0] ?? "").toUpperCase() === name) ?? false;
}
