/**
 * The FTP session, on the control connection only: greeting, FEAT, SYST, AUTH TLS when FEAT
 * offers it (or when forced) and FEAT inside TLS, QUIT. Never USER, PASS, a data connection or
 * anything that touches a file.
 */
import { type DialogueResult, runLineSession, type SessionState } from "../line-session.js";
import { tlsRecord } from "../tls/record.js";
import { hostNameInGreeting } from "../tls/server-name.js";
import type { Channel, SessionContext, SessionOutcome } from "../types.js";
import { emptyFtpRecord } from "./empty.js";
import { type FtpReply, featureLines, offersAuthTls, readFtpReply } from "./reply.js";
import type { FtpRecord } from "./schema.js";

/** QUIT is a courtesy: it gets a short wait of its own and never changes the status. */
const QUIT_TIMEOUT_MS = 5000;

interface FtpState extends SessionState {
  ftp: FtpRecord;
}

export function runFtpSession(ctx: SessionContext): Promise<SessionOutcome> {
  const state: FtpState = { ftp: emptyFtpRecord(), tls: null, serverName: null, phase: "greeting" };
  return runLineSession(
    ctx,
    state,
    (channel) => dialogue(ctx, channel, state),
    () => ({ ftp: state.ftp, tls: state.tls }),
  );
}

async function command(channel: Channel, text: string, timeoutMs: number): Promise<FtpReply> {
  await channel.write(`${text}\r\n`);
  return readFtpReply(channel, channel.deadlineIn(timeoutMs));
}

async function quit(channel: Channel, timeoutMs: number): Promise<void> {
  try {
    await command(channel, "QUIT", Math.min(timeoutMs, QUIT_TIMEOUT_MS));
  } catch {
    // the server may hang up at once: the record is complete either way
  }
}

async function dialogue(ctx: SessionContext, channel: Channel, state: FtpState): Promise<DialogueResult> {
  const { replyTimeoutMs: timeout, starttls } = ctx.options;
  let greeting = await readFtpReply(channel, channel.deadlineIn(timeout));
  // 120: "service ready in nnn minutes", then the real greeting (RFC 959 §5.4)
  if (greeting.code === 120) greeting = await readFtpReply(channel, channel.deadlineIn(timeout));
  state.ftp.greeting = greeting.lines.join("\n");
  state.serverName = hostNameInGreeting(greeting.lines[0]?.slice(4) ?? "");
  if (greeting.code !== 220) {
    if (greeting.code !== 421) await quit(channel, timeout);
    return { status: "rejected", error: `the greeting was ${greeting.code}` };
  }
  state.phase = "dialogue";

  state.ftp.features = featureLines(await command(channel, "FEAT", timeout));
  state.ftp.syst = (await command(channel, "SYST", timeout)).lines[0] ?? null;
  const offered = offersAuthTls(state.ftp.features);
  if (starttls === "always" || (starttls === "auto" && offered)) {
    const reply = await command(channel, "AUTH TLS", timeout);
    state.ftp.auth_tls = reply.lines.join("\n");
    if (reply.code !== 234) {
      const refused = `AUTH TLS refused: ${(reply.lines[0] ?? "").slice(0, 200)}`;
      state.tls = tlsRecord({ version: null, cipher: null, chainDer: [], error: refused }, false);
    } else {
      const handshake = await channel.startTls(channel.deadlineIn(timeout));
      state.tls = tlsRecord(handshake, false);
      // a failed handshake leaves nothing to talk to: the record keeps what it had, TLS says why
      if (handshake.error) return { status: "ok", error: null };
      state.ftp.features_tls = featureLines(await command(channel, "FEAT", timeout));
    }
  }
  await quit(channel, timeout);
  return { status: "ok", error: null };
}
