/** Two toy products for the model and planner tests (not real products: the code must not care). */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRules, type ProductRules } from "../../src/fingerprint/rules.js";
import type { PlannerView } from "../../src/protocols/types.js";
import { emptySmtpRecord, type ProbeResult, type Reply } from "../../src/store/schema.js";

const file = (name: string, code: number, extra = "") => `product: ${name}
vendor: ${name} Inc.
kind: commercial-server
protocols: [smtp]
evidence:
  - id: banner
    feature: banner
    pattern: 'ESMTP ${name}(?: (?<version>\\d+\\.\\d+))?'
  - id: probe-x
    feature: probe.x
    pattern: '^${code} '
${extra}`;

/** only Alpha has a rule on probe y: its answer says less than probe x's */
const PROBE_Y = `  - id: probe-y
    feature: probe.y
    pattern: '^250 '
`;

/** `extra` adds evidence lines to a product's file (before Alpha's version ladder). */
export function toyRules(extra: { alpha?: string; beta?: string } = {}): ProductRules[] {
  const dir = mkdtempSync(join(tmpdir(), "toy-rules-"));
  mkdirSync(join(dir, "smtp"));
  writeFileSync(
    join(dir, "smtp", "alpha.yaml"),
    file(
      "Alpha",
      500,
      `${PROBE_Y}${extra.alpha ?? ""}version_ladder:\n  - range: '>=2'\n    when: [probe-x]\n`,
    ),
  );
  writeFileSync(join(dir, "smtp", "beta.yaml"), file("Beta", 502, extra.beta ?? ""));
  return loadRules(dir);
}

export const reply = (code: number, text: string): Reply => ({
  code,
  enhanced: null,
  lines: [text],
  raw: "",
});

export function probe(name: string, code: number): ProbeResult {
  return {
    name,
    status: "ok",
    steps: [
      { command: "", reply: reply(220, "hi") },
      { command: "X", reply: reply(code, "text") },
    ],
    ended: "complete",
  };
}

export function view(banner: string, probes: ProbeResult[] = []): PlannerView {
  return {
    protocol: "smtp",
    tls: null,
    smtp: { ...emptySmtpRecord(), banner, probes },
  };
}
