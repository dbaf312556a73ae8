/** The small steps every SMTP session is made of, and how a failure becomes a status. */

import { ChannelError, type Status } from "../../core/status.js";
import { channelFailureStatus, type Phase } from "../failure.js";
import type { Reply } from "../record.js";
import type { Channel } from "../types.js";
import { NotSmtpError, readReply } from "./reply.js";

/** QUIT's reply is waited for at most this long: the record is complete without it. */
const QUIT_TIMEOUT_MS = 5000;

/** Sends one command line and reads its whole reply within the reply timeout. */
export async function sendCommand(channel: Channel, command: string, timeoutMs: number): Promise<Reply> {
  await channel.write(`${command}\r\n`);
  return readReply(channel, channel.deadlineIn(timeoutMs));
}

/** QUIT, politely: its reply (or failure) never changes a record's status. */
export async function sendQuit(channel: Channel, timeoutMs: number): Promise<Reply | null> {
  try {
    await channel.write("QUIT\r\n");
  } catch {
    return null;
  }
  return readQuitReply(channel, timeoutMs);
}

/** The reply to a QUIT already sent (alone or at the end of a pipelined group), or null. */
export async function readQuitReply(channel: Channel, timeoutMs: number): Promise<Reply | null> {
  try {
    return await readReply(channel, channel.deadlineIn(Math.min(timeoutMs, QUIT_TIMEOUT_MS)));
  } catch {
    return null;
  }
}

export type { Phase };

/** Turns what a read threw into a status; bugs (anything else) are re-thrown. */
export function classifyFailure(error: unknown, phase: Phase): { status: Status; error: string } {
  if (error instanceof NotSmtpError) {
    return { status: phase === "greeting" ? "not-smtp" : "protocol-error", error: error.message };
  }
  if (error instanceof ChannelError) {
    return { status: channelFailureStatus(error, phase), error: error.message };
  }
  throw error;
}
