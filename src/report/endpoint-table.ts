/** The terminal summary of a grab: one row per endpoint, then status and TLS tallies. */
import { selfDescriptionOf, upgradeOfferedBy } from "../protocols/record-view.js";
import type { ScanRecord } from "../store/schema.js";

export interface SummaryRow {
  endpoint: string;
  status: string;
  software: string;
  starttls: string;
  tls: string;
}

export function summaryRow(record: ScanRecord): SummaryRow {
  const firstLine = selfDescriptionOf(record);
  const tls = record.tls;
  let tlsText = "-";
  if (tls) {
    const leaf = tls.chain[0];
    const key = leaf ? ` ${leaf.key_type ?? "?"}${leaf.key_bits ? `-${leaf.key_bits}` : ""}` : "";
    tlsText = tls.error ? `failed: ${tls.error}${key ? ` (cert${key})` : ""}` : `${tls.version ?? "?"}${key}`;
  }
  const offered = upgradeOfferedBy(record);
  return {
    endpoint: record.ip.includes(":") ? `[${record.ip}]:${record.port}` : `${record.ip}:${record.port}`,
    status: record.status,
    // Until identification lands, the software column shows what the server says of itself.
    software: record.status === "ok" || record.status === "rejected" ? firstLine : (record.error ?? ""),
    starttls: tls?.implicit
      ? "implicit"
      : tls
        ? "used"
        : offered
          ? "offered"
          : offered === false
            ? "no"
            : "-",
    tls: tlsText,
  };
}

export function formatSummary(records: ScanRecord[]): string {
  // Closed ports would drown the table: they are counted below, not listed.
  const rows = records.filter((r) => r.status !== "refused").map(summaryRow);
  const refused = records.length - rows.length;
  const header: SummaryRow = {
    endpoint: "endpoint",
    status: "status",
    software: "greeting (software)",
    starttls: "STARTTLS",
    tls: "TLS",
  };
  const all = [header, ...rows];
  const width = (k: keyof SummaryRow, cap: number) => Math.min(cap, Math.max(...all.map((r) => r[k].length)));
  const cols: Array<[keyof SummaryRow, number]> = [
    ["endpoint", width("endpoint", 45)],
    ["status", width("status", 20)],
    ["software", width("software", 60)],
    ["starttls", width("starttls", 9)],
    ["tls", width("tls", 60)],
  ];
  const line = (r: SummaryRow) =>
    cols
      .map(([k, w]) => clip(r[k], w).padEnd(w))
      .join("  ")
      .trimEnd();
  const out = [line(header), cols.map(([, w]) => "-".repeat(w)).join("  "), ...rows.map(line), ""];

  if (refused > 0) out.push(`(${refused} refused endpoints not listed)`, "");
  const statuses = tally(records.map((r) => r.status));
  out.push("status counts:", ...statuses.map(([s, n]) => `  ${s.padEnd(22)} ${String(n).padStart(6)}`), "");

  const withTls = records.filter((r) => r.tls);
  const versions = tally(withTls.filter((r) => !r.tls?.error).map((r) => r.tls?.version ?? "?"));
  out.push(
    "TLS:",
    `  STARTTLS offered        ${String(records.filter((r) => upgradeOfferedBy(r)).length).padStart(6)}`,
    `  handshakes completed    ${String(withTls.filter((r) => !r.tls?.error).length).padStart(6)}`,
    `  handshakes failed       ${String(withTls.filter((r) => r.tls?.error).length).padStart(6)}`,
    ...versions.map(([v, n]) => `    ${v.padEnd(20)} ${String(n).padStart(8)}`),
    `  self-signed leaf        ${String(withTls.filter((r) => r.tls?.chain[0]?.self_signed).length).padStart(6)}`,
  );
  return `${out.join("\n")}\n`;
}

function tally(values: string[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
