/**
 * The IMAP session (hand-written like SMTP's, so every byte is recorded and hostile servers
 * are survived): greeting, CAPABILITY, STARTTLS when advertised (or forced), CAPABILITY inside
 * TLS, LOGOUT. Never LOGIN or AUTHENTICATE. On 993 TLS comes first and the same dialogue runs
 * inside it.
 */

import { type DialogueResult, runLineSession, type SessionState } from "../line-session.js";
import type { ImapRecord } from "../record.js";
import { tlsRecord } from "../tls/record.js";
import { hostNameInGreeting } from "../tls/server-name.js";
import type { Channel, SessionContext, SessionOutcome } from "../types.js";
import { capabilityWords, hasCapability, type ImapResponse, readGreeting, readResponse } from "./response.js";

/** LOGOUT is a courtesy: it gets a short wait of its own and never changes the status. */
const LOGOUT_TIMEOUT_MS = 5000;

interface ImapState extends SessionState {
  imap: ImapRecord;
}

export function runImapSession(ctx: SessionContext, implicitTls: boolean): Promise<SessionOutcome> {
  const state: ImapState = {
    imap: { greeting: null, capabilities: null, starttls: null, capabilities_tls: null },
    tls: null,
    serverName: null,
    phase: "greeting",
  };
  return runLineSession(
    ctx,
    state,
    (channel) => dialogue(ctx, channel, state, implicitTls),
    () => ({ imap: state.imap, tls: state.tls }),
  );
}

async function dialogue(
  ctx: SessionContext,
  channel: Channel,
  state: ImapState,
  implicitTls: boolean,
): Promise<DialogueResult> {
  const { replyTimeoutMs: timeout, starttls } = ctx.options;
  let tags = 0;
  const command = async (text: string, ms = timeout): Promise<ImapResponse> => {
    tags += 1;
    const tag = `a${tags}`;
    await channel.write(`${tag} ${text}\r\n`);
    return readResponse(channel, tag, channel.deadlineIn(ms));
  };

  if (implicitTls) state.tls = tlsRecord(await channel.startTls(channel.deadlineIn(timeout)), true);
  const greeting = await readGreeting(channel, channel.deadlineIn(timeout));
  state.imap.greeting = greeting.line;
  state.serverName = hostNameInGreeting(greeting.text);
  // BYE: the server is closing (RFC 9051 §7.1.5); there is nobody left to say LOGOUT to
  if (greeting.kind === "BYE") return { status: "rejected", error: "the greeting was BYE" };
  state.phase = "dialogue";

  state.imap.capabilities = capabilityWords((await command("CAPABILITY")).untagged);
  const advertised = hasCapability(state.imap.capabilities, "STARTTLS");
  const wanted = starttls === "always" || (starttls === "auto" && advertised);
  // STARTTLS is only valid before authentication: a PREAUTH greeting rules it out
  if (!implicitTls && wanted && greeting.kind === "OK") {
    const reply = await command("STARTTLS");
    state.imap.starttls = reply.completion.line;
    if (reply.completion.status !== "OK") {
      const refused = `STARTTLS refused: ${reply.completion.status}`;
      state.tls = tlsRecord({ version: null, cipher: null, chainDer: [], error: refused }, false);
    } else {
      const handshake = await channel.startTls(channel.deadlineIn(timeout));
      state.tls = tlsRecord(handshake, false);
      // a failed handshake leaves nothing to talk to: the record keeps what it had, TLS says why
      if (handshake.error) return { status: "ok", error: null };
      state.imap.capabilities_tls = capabilityWords((await command("CAPABILITY")).untagged);
    }
  }
  try {
    await command("LOGOUT", Math.min(timeout, LOGOUT_TIMEOUT_MS));
  } catch {
    // the server may hang up right after its BYE: the record is complete either way
  }
  return { status: "ok", error: null };
}
