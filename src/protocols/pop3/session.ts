/**
 * The POP3 session (hand-written like SMTP's): greeting, CAPA, STLS when advertised (or
 * forced), CAPA inside TLS, QUIT. Never USER, PASS, APOP or AUTH. On 995 TLS comes first and
 * the same dialogue runs inside it.
 */

import { type DialogueResult, runLineSession, type SessionState } from "../line-session.js";
import type { Pop3Record } from "../record.js";
import { tlsRecord } from "../tls/record.js";
import { hostNameInGreeting } from "../tls/server-name.js";
import type { Channel, SessionContext, SessionOutcome } from "../types.js";
import { hasCapability, type Pop3Status, readBody, readStatus } from "./reply.js";

/** QUIT is a courtesy: it gets a short wait of its own and never changes the status. */
const QUIT_TIMEOUT_MS = 5000;

interface Pop3State extends SessionState {
  pop3: Pop3Record;
}

export function runPop3Session(ctx: SessionContext, implicitTls: boolean): Promise<SessionOutcome> {
  const state: Pop3State = {
    pop3: { greeting: null, capabilities: null, stls: null, capabilities_tls: null },
    tls: null,
    serverName: null,
    phase: "greeting",
  };
  return runLineSession(
    ctx,
    state,
    (channel) => dialogue(ctx, channel, state, implicitTls),
    () => ({ pop3: state.pop3, tls: state.tls }),
  );
}

async function command(channel: Channel, text: string, timeoutMs: number): Promise<Pop3Status> {
  await channel.write(`${text}\r\n`);
  return readStatus(channel, channel.deadlineIn(timeoutMs));
}

/** CAPA's lines, or null when the server does not know CAPA (-ERR: an RFC 1939-only server). */
async function capa(channel: Channel, timeoutMs: number): Promise<string[] | null> {
  const deadline = channel.deadlineIn(timeoutMs);
  await channel.write("CAPA\r\n");
  const status = await readStatus(channel, deadline);
  return status.ok ? readBody(channel, deadline) : null;
}

async function quit(channel: Channel, timeoutMs: number): Promise<void> {
  try {
    await command(channel, "QUIT", Math.min(timeoutMs, QUIT_TIMEOUT_MS));
  } catch {
    // the server may hang up at once: the record is complete either way
  }
}

async function dialogue(
  ctx: SessionContext,
  channel: Channel,
  state: Pop3State,
  implicitTls: boolean,
): Promise<DialogueResult> {
  const { replyTimeoutMs: timeout, starttls } = ctx.options;
  if (implicitTls) state.tls = tlsRecord(await channel.startTls(channel.deadlineIn(timeout)), true);
  const greeting = await readStatus(channel, channel.deadlineIn(timeout));
  state.pop3.greeting = greeting.line;
  state.serverName = hostNameInGreeting(greeting.text);
  if (!greeting.ok) {
    await quit(channel, timeout);
    return { status: "rejected", error: "the greeting was -ERR" };
  }
  state.phase = "dialogue";

  state.pop3.capabilities = await capa(channel, timeout);
  const advertised = hasCapability(state.pop3.capabilities, "STLS");
  if (!implicitTls && (starttls === "always" || (starttls === "auto" && advertised))) {
    const reply = await command(channel, "STLS", timeout);
    state.pop3.stls = reply.line;
    if (!reply.ok) {
      const refused = `STLS refused: ${reply.line.slice(0, 200)}`;
      state.tls = tlsRecord({ version: null, cipher: null, chainDer: [], error: refused }, false);
    } else {
      const handshake = await channel.startTls(channel.deadlineIn(timeout));
      state.tls = tlsRecord(handshake, false);
      // a failed handshake leaves nothing to talk to: the record keeps what it had, TLS says why
      if (handshake.error) return { status: "ok", error: null };
      state.pop3.capabilities_tls = await capa(channel, timeout);
    }
  }
  await quit(channel, timeout);
  return { status: "ok", error: null };
}
