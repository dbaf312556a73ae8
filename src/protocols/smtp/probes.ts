/**
 * Probe sessions: short extra connections, each a list of commands kept as data in
 * rules/probes/smtp.json. A probe stops after the second error reply and at any 421, and always
 * ends with QUIT. The catalogue (probe-catalogue.ts) refuses any command that could start a real
 * transaction.
 */
import type { ProbeResult, Reply } from "../record.js";
import type { SessionContext } from "../types.js";
import { classifyFailure, sendCommand, sendQuit } from "./dialogue.js";
import { announcedName } from "./ehlo-name.js";
import type { ProbeDefinition } from "./probe-catalogue.js";
import { isPositive, readReply } from "./reply.js";

export async function runProbe(
  ctx: SessionContext,
  probe: ProbeDefinition,
  implicitTls = false,
): Promise<ProbeResult> {
  const steps: ProbeResult["steps"] = [];
  const connected = await ctx.connect();
  if (!connected.ok) return { name: probe.name, status: connected.status, steps, ended: "failure" };
  const channel = connected.channel;
  const timeout = ctx.options.replyTimeoutMs;
  try {
    // on 465 the probe speaks inside TLS too; a failed handshake fails the greeting read below
    if (implicitTls) await channel.startTls(channel.deadlineIn(timeout));
    const greeting = await readReply(channel, channel.deadlineIn(timeout));
    steps.push({ command: "", reply: greeting });
    if (!isPositive(greeting)) {
      if (greeting.code !== 421) await sendQuit(channel, timeout);
      return {
        name: probe.name,
        status: "rejected",
        steps,
        ended: greeting.code === 421 ? "421" : "failure",
      };
    }
    let errors = 0;
    for (const template of probe.commands) {
      const command = template.replaceAll("{ehlo}", announcedName(ctx.options, channel));
      const reply: Reply = await sendCommand(channel, command, timeout);
      steps.push({ command, reply });
      if (reply.code === 421) return { name: probe.name, status: "ok", steps, ended: "421" };
      if (reply.code >= 400) errors += 1;
      if (errors >= 2) {
        await sendQuit(channel, timeout);
        return { name: probe.name, status: "ok", steps, ended: "errors" };
      }
    }
    await sendQuit(channel, timeout);
    return { name: probe.name, status: "ok", steps, ended: "complete" };
  } catch (error) {
    const failure = classifyFailure(error, steps.length === 0 ? "greeting" : "dialogue");
    return { name: probe.name, status: failure.status, steps, ended: "failure" };
  } finally {
    channel.close();
  }
}
