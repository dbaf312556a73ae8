/**
 * The probe catalogue: rules/probes/smtp.json, checked with zod on load. The loader refuses any
 * command that could start a real transaction. Apart from probes.ts (which runs probes) so that a
 * grab that runs none never loads zod into its engine threads.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { repoRoot } from "../../core/paths.js";

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
