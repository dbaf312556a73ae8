/** How `identify` shows its answer on a terminal (smtpmap-style: more with each -v). */
import type { ScanRecord, Software } from "../store/schema.js";

export interface ShowOptions {
  verbose: number;
  /** list every candidate above this probability (0–1), at least three */
  trigger: number;
  reverseName: string | null;
}

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

export function showIdentification(record: ScanRecord, software: Software, options: ShowOptions): string {
  const out: string[] = [];
  const where = record.ip.includes(":") ? `[${record.ip}]:${record.port}` : `${record.ip}:${record.port}`;
  out.push(`${where} ${record.protocol}${options.reverseName ? `  (${options.reverseName})` : ""}`);
  if (record.smtp?.banner) out.push(`  banner: ${record.smtp.banner.split("\n")[0]}`);
  const version = software.version ?? (software.version_range ? `(version ${software.version_range})` : "");
  const who = software.vendor ? `  [${software.vendor}, ${software.kind}]` : "";
  const name = `${software.product} ${version}`.trimEnd();
  out.push(`  ${name}${who}  confidence ${percent(software.confidence)}`);
  if (software.version && software.version_range) out.push(`  version range: ${software.version_range}`);
  if (software.os) out.push(`  platform: ${software.os}`);
  if (software.product === "unknown" && software.hint)
    out.push(`  says: ${software.hint} (no rule names it)`);
  const listed = software.alternatives.filter((a, i) => i < 3 || a.probability >= options.trigger);
  if (listed.length > 0)
    out.push(`  alternatives: ${listed.map((a) => `${a.product} ${percent(a.probability)}`).join(", ")}`);
  const probes = record.smtp?.probes ?? [];
  out.push(
    `  ${probes.length} probe connection(s)${probes.length ? ` (${probes.map((p) => p.name).join(", ")})` : ""}, ${record.duration_ms === null ? "time not measured" : `${(record.duration_ms / 1000).toFixed(2)} s`}`,
  );
  if (options.verbose >= 1) {
    out.push("  evidence (weight in nats against the runner-up):");
    for (const e of software.evidence)
      out.push(`    ${e.weight >= 0 ? "+" : ""}${e.weight.toFixed(2)}  ${e.rule}  (${e.feature})`);
    if (software.evidence.length === 0) out.push("    (no rule of the answer fired)");
  }
  if (options.verbose >= 2) {
    out.push("  transcript:");
    for (const t of record.transcript) out.push(`    ${String(t.conn).padStart(2)} ${t.dir} ${t.data}`);
  }
  return `${out.join("\n")}\n`;
}
