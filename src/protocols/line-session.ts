/**
 * The frame every hand-written session other than SMTP's shares (IMAP, POP3, HTTP): connect,
 * run the dialogue, turn what it threw into a status, close, then fill `tls.names` (the PTR
 * lookup waits until the connection is gone, and happens only when a certificate came).
 */
import type { Status } from "../core/status.js";
import { classifyFailure, type Phase } from "./failure.js";
import type { TlsRecord } from "./record.js";
import { fillNames } from "./tls/names.js";
import type { Channel, SessionContext, SessionOutcome } from "./types.js";

export interface SessionState {
  tls: TlsRecord | null;
  /** the name the server announced, for `tls.names.server_name` */
  serverName: string | null;
  /** moves to "dialogue" once the server has shown it speaks the protocol */
  phase: Phase;
}

export interface DialogueResult {
  status: Status;
  error: string | null;
}

export async function runLineSession<S extends SessionState>(
  ctx: SessionContext,
  state: S,
  dialogue: (channel: Channel, state: S) => Promise<DialogueResult>,
  fields: (state: S) => SessionOutcome["fields"],
): Promise<SessionOutcome> {
  const connected = await ctx.connect();
  if (!connected.ok) return { status: connected.status, error: connected.error, fields: {} };
  const channel = connected.channel;
  let result: DialogueResult;
  try {
    result = await dialogue(channel, state);
  } catch (failure) {
    result = classifyFailure(failure, state.phase);
  } finally {
    channel.close();
  }
  await fillNames(state.tls, ctx, state.serverName);
  return { ...result, fields: fields(state) };
}
