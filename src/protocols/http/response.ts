/**
 * Reading an HTTP/1.x response head (RFC 9112 §4, §5): the status line, then header fields up
 * to the empty line. The body is never read (the request is HEAD). Obsolete line folding
 * (a line starting with a space or tab) continues the previous field's value.
 */

import { ChannelError } from "../../core/status.js";
import { ProtocolMismatch } from "../failure.js";
import type { HttpRecord } from "../record.js";
import type { Channel } from "../types.js";

/** Header fields accepted in one head (real servers send a dozen or two). */
export const MAX_HEADER_LINES = 200;

const STATUS_LINE = /^HTTP\/\d(?:\.\d)? (\d{3})(?: .*)?$/;

/** The status line and headers, within one deadline; the record's `http` part. */
export async function readResponseHead(channel: Channel, deadline: number): Promise<HttpRecord> {
  const statusLine = await channel.readText(deadline);
  const match = STATUS_LINE.exec(statusLine);
  if (!match) throw new ProtocolMismatch("HTTP", statusLine);
  const headers: Array<[string, string]> = [];
  for (;;) {
    const line = await channel.readText(deadline);
    if (line === "") break;
    const previous = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && previous) {
      previous[1] = `${previous[1]} ${line.trim()}`;
      continue;
    }
    headers.push(splitField(line));
    if (headers.length >= MAX_HEADER_LINES) {
      throw new ChannelError("too-long", `a response head of more than ${MAX_HEADER_LINES} lines`);
    }
  }
  return {
    status_line: statusLine,
    status: Number(match[1]),
    server: headers.find(([name]) => name.toLowerCase() === "server")?.[1] ?? null,
    headers,
  };
}

/** `Name: value` → [name, value]; a line without a colon is kept whole as a name, not lost. */
function splitField(line: string): [string, string] {
  const colon = line.indexOf(":");
  if (colon < 0) return [line, ""];
  return [line.slice(0, colon), line.slice(colon + 1).trim()];
}
