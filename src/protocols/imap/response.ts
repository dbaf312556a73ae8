/**
 * Reading IMAP responses (RFC 9051 §7, RFC 3501 §7): untagged `* …` lines, then the tagged
 * completion `TAG OK|NO|BAD text` that ends a command. Only what a pre-login survey meets is
 * read: the greeting, CAPABILITY, STARTTLS and LOGOUT; none of their responses carries a
 * literal, so a line ending in `{n}` is taken as a line like any other.
 */

import { ChannelError } from "../../core/status.js";
import { ProtocolMismatch } from "../failure.js";
import type { Channel } from "../types.js";

/** Untagged lines accepted before a command's completion (a CAPABILITY answer has one). */
export const MAX_RESPONSE_LINES = 200;

export type ImapGreetingKind = "OK" | "PREAUTH" | "BYE";

export interface ImapGreeting {
  kind: ImapGreetingKind;
  /** the whole line as received */
  line: string;
  /** what follows the status word: `[CAPABILITY …] Dovecot ready.` */
  text: string;
}

export interface ImapCompletion {
  status: "OK" | "NO" | "BAD";
  /** the tagged line as received, tag included */
  line: string;
}

export interface ImapResponse {
  untagged: string[];
  completion: ImapCompletion;
}

const GREETING = /^\* (OK|PREAUTH|BYE)(?: (.*))?$/i;

/** The server's first line: `* OK`, `* PREAUTH` or `* BYE`; anything else is not IMAP. */
export async function readGreeting(channel: Channel, deadline: number): Promise<ImapGreeting> {
  const line = await channel.readText(deadline);
  const match = GREETING.exec(line);
  if (!match) throw new ProtocolMismatch("IMAP", line);
  return { kind: (match[1] as string).toUpperCase() as ImapGreetingKind, line, text: match[2] ?? "" };
}

/** Reads until the completion for `tag`; one deadline covers every line. */
export async function readResponse(channel: Channel, tag: string, deadline: number): Promise<ImapResponse> {
  const completion = new RegExp(`^${tag} (OK|NO|BAD)(?: |$)`, "i");
  const untagged: string[] = [];
  for (;;) {
    const line = await channel.readText(deadline);
    const done = completion.exec(line);
    if (done) {
      return {
        untagged,
        completion: { status: (done[1] as string).toUpperCase() as ImapCompletion["status"], line },
      };
    }
    // `+` is a continuation request: out of place here, but harmless to keep
    if (!line.startsWith("* ") && !line.startsWith("+")) throw new ProtocolMismatch("IMAP", line);
    untagged.push(line);
    if (untagged.length >= MAX_RESPONSE_LINES) {
      throw new ChannelError("too-long", `a response of more than ${MAX_RESPONSE_LINES} lines`);
    }
  }
}

/** The words of every `* CAPABILITY` line, as sent; null when the server sent none. */
export function capabilityWords(untagged: readonly string[]): string[] | null {
  let words: string[] | null = null;
  for (const line of untagged) {
    const match = /^\* CAPABILITY(?: (.*))?$/i.exec(line);
    if (!match) continue;
    words = [...(words ?? []), ...(match[1] ?? "").split(" ").filter(Boolean)];
  }
  return words;
}

export function hasCapability(words: readonly string[] | null, name: string): boolean {
  return words?.some((word) => word.toUpperCase() === name) ?? false;
}
