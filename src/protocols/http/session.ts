/**
 * The HTTP(S) session: TLS first on 443, then one HEAD / and its response head. The status code
 * is data: a 404 or 500 is still an `ok` record. No server name is announced in HTTP, so
 * `tls.names` matches the certificate against the PTR name only.
 */

import { type DialogueResult, runLineSession, type SessionState } from "../line-session.js";
import type { HttpRecord } from "../record.js";
import { tlsRecord } from "../tls/record.js";
import type { Channel, SessionContext, SessionOutcome } from "../types.js";
import { headRequestLines } from "./request.js";
import { readResponseHead } from "./response.js";

interface HttpState extends SessionState {
  http: HttpRecord | null;
}

export function runHttpSession(ctx: SessionContext, tls: boolean): Promise<SessionOutcome> {
  // the client speaks first: every failure happens in reply to the request
  const state: HttpState = { http: null, tls: null, serverName: null, phase: "dialogue" };
  return runLineSession(
    ctx,
    state,
    (channel) => dialogue(ctx, channel, state, tls),
    () => ({ http: state.http, tls: state.tls }),
  );
}

async function dialogue(
  ctx: SessionContext,
  channel: Channel,
  state: HttpState,
  tls: boolean,
): Promise<DialogueResult> {
  const timeout = ctx.options.replyTimeoutMs;
  // a failed handshake closes the channel: the write below then fails with the TLS error, as
  // the greeting read does for the other implicit-TLS protocols
  if (tls) state.tls = tlsRecord(await channel.startTls(channel.deadlineIn(timeout)), true);
  for (const line of headRequestLines(ctx.ip, ctx.port, tls)) await channel.write(`${line}\r\n`);
  state.http = await readResponseHead(channel, channel.deadlineIn(timeout));
  return { status: "ok", error: null };
}
