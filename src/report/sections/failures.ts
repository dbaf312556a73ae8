/**
 * The failure-reasons section: what happened to every connection attempt, overall, per port and
 * with the commonest error details. Every record counts here (not one per endpoint), as in
 * Bernstein's surveys, because a refusal or a timeout is itself a finding about the space.
 */

import type { TallyResult } from "../../analysis/tally-types.js";
import type { Cell } from "../../core/table.js";
import { barChart } from "../chart-specs.js";
import type { ReportSection } from "../report-model.js";
import { countText } from "./prose-numbers.js";
import { countColumn, countTable, percentColumn, textColumn } from "./section-tables.js";

export function failureSection(result: TallyResult): ReportSection {
  const f = result.failures;
  const byPort: Array<Record<string, Cell>> = [];
  for (const port of f.byPort)
    for (const s of port.statuses)
      byPort.push({
        port: port.port,
        protocol: port.protocol,
        status: s.value,
        count: s.count,
        share: s.share,
      });
  const errors: Array<Record<string, Cell>> = [];
  for (const group of f.topErrors)
    for (const e of group.errors)
      errors.push({ status: group.status, error: e.value, count: e.count, share: e.share });
  const slack =
    f.errorCountSlack > 0
      ? ` Error counts come from a bounded table and may be high by up to ${countText(f.errorCountSlack)}.`
      : "";
  return {
    id: "failures",
    title: "Failure reasons",
    paragraphs: [
      `What happened to each of ${countText(f.records)} connection attempts (every record counts, as in ` +
        "Bernstein's surveys), overall and per port.",
    ],
    charts: [
      barChart(
        "failures-by-status",
        "Records by status",
        f.byStatus.map((r) => ({ label: r.value, value: r.count })),
        { title: "records" },
      ),
    ],
    tables: [
      countTable("failures-by-status", "Records by status", "status", f.byStatus),
      {
        id: "failures-by-port",
        title: "Records by port and status",
        columns: [
          { key: "port", label: "port", numeric: true, format: "plain" },
          textColumn("protocol", "protocol"),
          textColumn("status", "status"),
          countColumn("count", "records"),
          percentColumn("share", "share of the port's records"),
        ],
        rows: byPort,
      },
      {
        id: "failure-errors",
        title: "Most common error details per status",
        columns: [
          textColumn("status", "status"),
          textColumn("error", "error"),
          countColumn("count", "records"),
          percentColumn("share", "share of the status"),
        ],
        rows: errors,
        note: `Addresses and ports in the details are masked as <ip>; the ten most common per status.${slack}`,
      },
    ],
  };
}
