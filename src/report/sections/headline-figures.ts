/**
 * The summary section: the period the records cover, what "endpoint" and "host" mean, and the
 * headline figures (also shown at the top of the page), so a reader has the scale of the run
 * before any breakdown.
 */
import type { TallyResult } from "../../analysis/tally-types.js";
import type { ReportSection } from "../report-model.js";
import { countText, shareText } from "./prose-numbers.js";
import { textColumn } from "./section-tables.js";

/** The headline figures at the top of the page. */
export function summaryFigures(result: TallyResult): Array<{ label: string; value: string }> {
  const merge = result.software.merge;
  const hosts = result.software.byHost;
  const figures = [
    { label: "records", value: countText(result.records) },
    { label: "endpoints (address, port)", value: countText(result.endpoints) },
    { label: "addresses", value: countText(result.addresses) },
    {
      label: "endpoints that answered",
      value: `${countText(result.okEndpoints)} (${shareText(result.okEndpoints, result.endpoints)})`,
    },
    { label: "addresses answering SMTP on 25", value: countText(result.smtpAnswering25) },
    {
      label: "hosts (addresses merged)",
      value: `${countText(merge.hosts)} (from ${countText(merge.addresses)} addresses)`,
    },
    { label: "hosts with identified software", value: shareText(hosts.total - hosts.unknown, hosts.total) },
  ];
  const all = result.tls[0];
  if (all && all.endpoints > 0) {
    const plain = all.endpoints - all.implicitTls;
    figures.push({ label: "SMTP endpoints offering STARTTLS", value: shareText(all.starttlsOffered, plain) });
  }
  if (result.domains) {
    const d = result.domains;
    figures.push({
      label: "mail domains",
      value: `${countText(d.domains)} (${shareText(d.noAnswer, d.domains)} no answer)`,
    });
  }
  const smtp = result.estimates?.rows.find((r) => r.id === "smtp-25");
  if (smtp) {
    figures.push({
      label: "SMTP servers on 25 in the sampled space (95 % interval)",
      value: `${countText(Math.round(smtp.population))} (${countText(Math.round(smtp.populationLow))}–${countText(Math.round(smtp.populationHigh))})`,
    });
  }
  return figures;
}

export function summarySection(result: TallyResult): ReportSection {
  const period =
    result.firstStartedAt && result.lastStartedAt
      ? `Records from ${result.firstStartedAt} to ${result.lastStartedAt}.`
      : "No records.";
  return {
    id: "summary",
    title: "Summary",
    paragraphs: [
      period,
      "An endpoint is one (address, port); it counts once, by its first record. A host is one or more " +
        "addresses that present a common key and announce a common name.",
    ],
    tables: [
      {
        id: "summary",
        title: "Summary figures",
        columns: [textColumn("label", "figure"), textColumn("value", "value")],
        rows: summaryFigures(result).map((f) => ({ label: f.label, value: f.value })),
      },
    ],
  };
}
