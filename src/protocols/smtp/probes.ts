/**
 * Probe sessions: short extra connections, each a list of commands kept as data in
 * rules/probes/smtp.json. A probe stops after the second error reply and at any 421, and always
 * ends with QUIT. The loader refuses any command that could start a real transaction.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { repoRoot } from "../../core/paths.js";
import type { ProbeResult, Reply } from "../record.js";
import type { SessionContext } from "../types.js";
import { classifyFailure, sendCommand, sendQuit } from "./dialogue.js";
import { announcedName } from "./ehlo-name.js";
import { isPositive, readReply } from "./reply.js";

const ProbeDefinition = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string(),
  commands: z.array(z.string()).min(1),
});
export type ProbeDefinition = z.infer<typeof ProbeDefinition>;

const ProbeFile = z.object({ description: z.string().optional(), probes: z.array(ProbeDefinition) });

/** Commands that would move mail: never sent, whatever a rule file says. */
const FORBIDDEN = /^\s*(DATA|BDAT|RCPT|MAIL(?!\s+FROM:\s*<>\s*$))/i;
/**
 * The one RCPT a probe may send: before any MAIL (so there is no transaction for it to join),
 * to an address under .invalid (RFC 2606: a name that can never exist), so no real recipient
 * is ever named.
 */
const RCPT_PROBE = /^\s*RCPT\s+TO:\s*<[a-z0-9.-]+@[a-z0-9.-]+\.invalid>\s*$/i;
const MAIL = /^\s*MAIL\b/i;

function forbiddenCommand(commands: string[]): string | undefined {
  return commands.find(
    (c, i) =>
      FORBIDDEN.test(c) && !(RCPT_PROBE.test(c) && !commands.slice(0, i).some((before) => MAIL.test(before))),
  );
}

export function loadProbes(
  file = join(repoRoot(), "rules", "probes", "smtp.json"),
): Map<string, ProbeDefinition> {
  const parsed = ProbeFile.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const probes = new Map<string, ProbeDefinition>();
  for (const probe of parsed.data.probes) {
    const bad = forbiddenCommand(probe.commands);
    if (bad)
      throw new Error(`${file}: probe ${probe.name} sends ${JSON.stringify(bad)}, which could move mail`);
    if (probes.has(probe.name)) throw new Error(`${file}: probe ${probe.name} is defined twice`);
    probes.set(probe.name, probe);
  }
  return probes;
}

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
