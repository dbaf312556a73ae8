/**
 * The main SMTP session (hand-written: no library records every reply byte for byte and
 * survives hostile servers): greeting, EHLO (HELO if refused), HELP, STARTTLS when advertised
 * or forced, EHLO inside TLS, QUIT (HELP and QUIT in one write when the server offers PIPELINING
 * and no STARTTLS follows). Never MAIL, RCPT or DATA. Then the probe sessions.
 */

import type { Status } from "../../core/status.js";
import { fillNames } from "../tls/names.js";
import { tlsRecord } from "../tls/record.js";
import type { TlsRecord } from "../tls/schema.js";
import type { Channel, SessionContext, SessionOutcome } from "../types.js";
import { classifyFailure, type Phase, readQuitReply, sendCommand, sendQuit } from "./dialogue.js";
import { announcedName } from "./ehlo-name.js";
import { emptySmtpRecord } from "./empty.js";
import type { ProbeDefinition } from "./probe-catalogue.js";
import { runProbe } from "./probes.js";
import { isPositive, offersKeyword, readReply } from "./reply.js";
import type { SmtpRecord } from "./schema.js";
import { smtpServerName } from "./server-name.js";

let probeCatalogue: Map<string, ProbeDefinition> | undefined;

/** A hard cap on planned probes per record, whatever the planner asks: a few connections at most. */
export const MAX_PLANNED_PROBES = 4;

/** Loaded on the first probe: a grab that runs none never loads the catalogue (nor zod with it). */
async function probesNamed(names: readonly string[]): Promise<ProbeDefinition[]> {
  probeCatalogue ??= (await import("./probe-catalogue.js")).loadProbes();
  const catalogue = probeCatalogue;
  return names.map((name) => {
    const probe = catalogue.get(name);
    if (!probe) throw new Error(`unknown probe ${name}`);
    return probe;
  });
}

export async function runSmtpSession(ctx: SessionContext, implicitTls: boolean): Promise<SessionOutcome> {
  const connected = await ctx.connect();
  if (!connected.ok) return { status: connected.status, error: connected.error, fields: {} };
  const channel = connected.channel;
  const smtp = emptySmtpRecord();
  const state: { tls: TlsRecord | null } = { tls: null };
  let status: Status = "ok";
  let error: string | null = null;
  let phase: Phase = "greeting";
  try {
    const result = await dialogue(ctx, channel, smtp, state, implicitTls, () => {
      phase = "dialogue";
    });
    status = result.status;
    error = result.error;
  } catch (failure) {
    ({ status, error } = classifyFailure(failure, phase));
  } finally {
    channel.close();
  }
  // after the dialogue: with implicit TLS the handshake comes before the name is announced
  await fillNames(state.tls, ctx, smtpServerName(smtp));
  if (status === "ok" && ctx.options.probes.length > 0) {
    for (const probe of await probesNamed(ctx.options.probes))
      smtp.probes.push(await runProbe(ctx, probe, implicitTls));
  }
  const planner = ctx.options.probePlanner;
  if (status === "ok" && planner) {
    const protocol = implicitTls ? "smtps" : "smtp";
    for (let n = 0; n < MAX_PLANNED_PROBES; n += 1) {
      const next = planner({ protocol, smtp, tls: state.tls });
      // a probe already run would only repeat itself
      if (next === null || smtp.probes.some((p) => p.name === next)) break;
      const [probe] = await probesNamed([next]);
      if (probe) smtp.probes.push(await runProbe(ctx, probe, implicitTls));
    }
  }
  return { status, error, fields: { smtp, tls: state.tls } };
}

async function dialogue(
  ctx: SessionContext,
  channel: Channel,
  smtp: SmtpRecord,
  state: { tls: TlsRecord | null },
  implicitTls: boolean,
  greeted: () => void,
): Promise<{ status: Status; error: string | null }> {
  const { replyTimeoutMs: timeout, starttls } = ctx.options;
  const ehloName = announcedName(ctx.options, channel);
  if (implicitTls) {
    const handshake = await channel.startTls(channel.deadlineIn(timeout));
    state.tls = tlsRecord(handshake, true);
  }
  const greeting = await readReply(channel, channel.deadlineIn(timeout));
  smtp.replies.greeting = greeting;
  smtp.banner = greeting.raw.slice(0, -2).replaceAll("\r\n", "\n");
  if (!isPositive(greeting)) {
    if (greeting.code !== 421) smtp.quit = await sendQuit(channel, timeout);
    return { status: "rejected", error: `the greeting was ${greeting.code}` };
  }
  greeted();

  const ehlo = await sendCommand(channel, `EHLO ${ehloName}`, timeout);
  smtp.replies.ehlo = ehlo;
  // A 421 means the server is closing (RFC 5321 §3.8): nothing more to ask, and no HELO.
  if (ehlo.code === 421) return { status: "ok", error: null };
  if (ehlo.code === 250) {
    smtp.ehlo = ehlo.lines;
  } else {
    const helo = await sendCommand(channel, `HELO ${ehloName}`, timeout);
    smtp.replies.helo = helo;
    smtp.helo = helo.lines;
  }
  if (smtp.replies.helo?.code === 421) return { status: "ok", error: null };

  const offered = smtp.ehlo ?? [];
  const wantsTls =
    !implicitTls && (starttls === "always" || (starttls === "auto" && offersKeyword(offered, "STARTTLS")));
  if (!wantsTls && ctx.options.pipelining !== false && offersKeyword(offered, "PIPELINING")) {
    // RFC 2920: HELP may open a group that QUIT closes, so a server that offers PIPELINING gets
    // both in one write and the session takes one round trip less; the replies come in order.
    await channel.write("HELP\r\nQUIT\r\n");
    smtp.help = await readReply(channel, channel.deadlineIn(timeout));
    smtp.quit = await readQuitReply(channel, timeout);
    return { status: "ok", error: null };
  }
  smtp.help = await sendCommand(channel, "HELP", timeout);

  if (wantsTls) {
    smtp.starttls = await sendCommand(channel, "STARTTLS", timeout);
    if (smtp.starttls.code !== 220) {
      state.tls = tlsRecord(
        { version: null, cipher: null, chainDer: [], error: `STARTTLS refused: ${smtp.starttls.code}` },
        false,
      );
    } else {
      const handshake = await channel.startTls(channel.deadlineIn(timeout));
      state.tls = tlsRecord(handshake, false);
      // A failed handshake leaves nothing to talk to: the record keeps what it had, TLS says why.
      if (handshake.error) return { status: "ok", error: null };
      const ehloTls = await sendCommand(channel, `EHLO ${ehloName}`, timeout);
      smtp.replies.ehlo_tls = ehloTls;
      smtp.ehlo_tls = ehloTls.lines;
    }
  }
  smtp.quit = await sendQuit(channel, timeout);
  return { status: "ok", error: null };
}
