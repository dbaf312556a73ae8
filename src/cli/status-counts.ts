/** The short status table printed after a grab. */
import type { ScanStats } from "../scan/engine.js";

export function printStatusSummary(stats: ScanStats, interrupted: boolean): void {
  const rows = Object.entries(stats.byStatus).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
  const lines = rows.map(([status, n]) => `  ${status.padEnd(22)} ${String(n).padStart(8)}`);
  const head = interrupted ? "interrupted; run again with --resume to finish" : "done";
  process.stderr.write(
    `smtpsurvey: ${head}: ${stats.jobs} endpoints, peak ${stats.peakInFlight} in flight\n${lines.join("\n")}\n`,
  );
}
