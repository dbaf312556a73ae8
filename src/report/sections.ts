/**
 * The report's sections from the tallies (tally-types.ts): each a few sentences, tables whose
 * column keys are stable (they become CSV headers, tables/<id>.csv) and Vega-Lite charts with
 * their data inline. Long tables are "long" (one row per value) rather than one column per
 * product or port, so the columns never depend on what a run found.
 */

import type { CountRow, SoftwareCounts, TallyResult, TlsPosture } from "../analysis/tally-types.js";
import type { Cell, ReportColumn, ReportTable } from "../core/table.js";
import { barChart, intervalChart, stackedBarChart } from "./chart-specs.js";
import type { ReportChart, ReportSection } from "./report-model.js";

export interface SectionOptions {
  /** products shown in the market-share charts (tables keep every row); default 15 */
  topProducts?: number;
  /** products whose versions are shown; default 8 */
  versionProducts?: number;
  /** versions shown per product before "other"; default 8 */
  versionsPerProduct?: number;
}

const count = (key: string, label: string): ReportColumn => ({ key, label, numeric: true, format: "count" });
const percent = (key: string, label: string): ReportColumn => ({
  key,
  label,
  numeric: true,
  format: "percent",
});
const text = (key: string, label: string): ReportColumn => ({ key, label });

function countTable(
  id: string,
  title: string,
  valueLabel: string,
  rows: CountRow[],
  note?: string,
): ReportTable {
  return {
    id,
    title,
    columns: [text("value", valueLabel), count("count", "count"), percent("share", "share")],
    rows: rows.map((r) => ({ value: r.value, count: r.count, share: r.share })),
    ...(note ? { note } : {}),
  };
}

function countChart(
  id: string,
  title: string,
  rows: CountRow[],
  top: number,
  axisTitle: string,
): ReportChart {
  const shown = rows.slice(0, top);
  const rest = rows.slice(top).reduce((sum, r) => sum + r.count, 0);
  const data = shown.map((r) => ({ label: r.value, value: r.count }));
  if (rest > 0) data.push({ label: `other (${rows.length - top})`, value: rest });
  return barChart(id, title, data, { title: axisTitle });
}

const n = (value: number) => value.toLocaleString("en");
const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : "n/a");

export function reportSections(result: TallyResult, options: SectionOptions = {}): ReportSection[] {
  const sections = [
    summarySection(result),
    failureSection(result),
    marketShareSection(result, options.topProducts ?? 15),
    versionSection(result.software.byHost, options.versionProducts ?? 8, options.versionsPerProduct ?? 8),
    tlsSection(result.tls),
  ];
  if (result.estimates) sections.push(estimateSection(result));
  if (result.priors?.length) sections.push(priorSection(result));
  // a chart with no data has nothing to draw (and Vega warns about its empty extent)
  for (const section of sections) section.charts = section.charts?.filter(hasData);
  return sections;
}

function hasData(chart: { spec: Record<string, unknown> }): boolean {
  const values = (chart.spec.data as { values?: unknown[] } | undefined)?.values;
  return values === undefined || values.length > 0;
}

/** The headline figures at the top of the page. */
export function summaryFigures(result: TallyResult): Array<{ label: string; value: string }> {
  const merge = result.software.merge;
  const hosts = result.software.byHost;
  const figures = [
    { label: "records", value: n(result.records) },
    { label: "endpoints (address, port)", value: n(result.endpoints) },
    { label: "addresses", value: n(result.addresses) },
    {
      label: "endpoints that answered",
      value: `${n(result.okEndpoints)} (${pct(result.okEndpoints, result.endpoints)})`,
    },
    { label: "addresses answering SMTP on 25", value: n(result.smtpAnswering25) },
    {
      label: "hosts (addresses merged)",
      value: `${n(merge.hosts)} (from ${n(merge.addresses)} addresses)`,
    },
    { label: "hosts with identified software", value: pct(hosts.total - hosts.unknown, hosts.total) },
  ];
  const all = result.tls[0];
  if (all && all.endpoints > 0) {
    const plain = all.endpoints - all.implicitTls;
    figures.push({ label: "SMTP endpoints offering STARTTLS", value: pct(all.starttlsOffered, plain) });
  }
  if (result.domains) {
    const d = result.domains;
    figures.push({
      label: "mail domains",
      value: `${n(d.domains)} (${pct(d.noAnswer, d.domains)} no answer)`,
    });
  }
  const smtp = result.estimates?.rows.find((r) => r.id === "smtp-25");
  if (smtp) {
    figures.push({
      label: "SMTP servers on 25 in the sampled space (95 % interval)",
      value: `${n(Math.round(smtp.population))} (${n(Math.round(smtp.populationLow))}–${n(Math.round(smtp.populationHigh))})`,
    });
  }
  return figures;
}

function summarySection(result: TallyResult): ReportSection {
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
        columns: [text("label", "figure"), text("value", "value")],
        rows: summaryFigures(result).map((f) => ({ label: f.label, value: f.value })),
      },
    ],
  };
}

function failureSection(result: TallyResult): ReportSection {
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
      ? ` Error counts come from a bounded table and may be high by up to ${n(f.errorCountSlack)}.`
      : "";
  return {
    id: "failures",
    title: "Failure reasons",
    paragraphs: [
      `What happened to each of ${n(f.records)} connection attempts (every record counts, as in ` +
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
          text("protocol", "protocol"),
          text("status", "status"),
          count("count", "records"),
          percent("share", "share of the port's records"),
        ],
        rows: byPort,
      },
      {
        id: "failure-errors",
        title: "Most common error details per status",
        columns: [
          text("status", "status"),
          text("error", "error"),
          count("count", "records"),
          percent("share", "share of the status"),
        ],
        rows: errors,
        note: `Addresses and ports in the details are masked as <ip>; the ten most common per status.${slack}`,
      },
    ],
  };
}

function marketShareSection(result: TallyResult, top: number): ReportSection {
  const s = result.software;
  const m = s.merge;
  const mergeNote =
    `${n(m.addresses)} answering addresses are ${n(m.hosts)} hosts: ${n(m.mergedAddresses)} addresses were merged ` +
    `into ${n(m.multiAddressHosts)} multi-address hosts (largest ${n(m.largestHost)}), by a shared key and a shared announced name.`;
  const hostNote =
    "A host's software is that of its SMTP port (25, then 587, then 465), else its surest identified answer; " +
    "unknown when nothing was identified.";
  const byProtocol: Array<Record<string, Cell>> = [];
  for (const p of s.byProtocol)
    for (const r of p.products)
      byProtocol.push({ protocol: p.protocol, product: r.value, count: r.count, share: r.share });
  const paragraphs = [mergeNote, hostNote];
  const charts = [countChart("share-by-host-product", "Hosts by product", s.byHost.products, top, "hosts")];
  const tables: ReportTable[] = [
    countTable("share-by-host-product", "Hosts by product", "product", s.byHost.products, mergeNote),
    countTable("share-by-host-vendor", "Hosts by vendor", "vendor", s.byHost.vendors),
    countTable("share-by-host-kind", "Hosts by kind", "kind", s.byHost.kinds),
    countTable("share-by-endpoint-product", "Endpoints by product", "product", s.byEndpoint.products),
    {
      id: "share-by-protocol",
      title: "Endpoints by protocol and product",
      columns: [
        text("protocol", "protocol"),
        text("product", "product"),
        count("count", "endpoints"),
        percent("share", "share of the protocol"),
      ],
      rows: byProtocol,
    },
  ];
  const d = result.domains;
  if (d) {
    paragraphs.push(
      `By mail domain (${n(d.domains)} domains): each domain counts the software of its most preferred MX address ` +
        `that answered SMTP on port 25; ${n(d.noAnswer)} domains (${pct(d.noAnswer, d.domains)}) had no MX address that answered.`,
    );
    charts.push(countChart("share-by-domain-product", "Mail domains by product", d.products, top, "domains"));
    tables.push(
      countTable("share-by-domain-product", "Mail domains by product", "product", d.products),
      countTable("share-by-domain-vendor", "Mail domains by vendor", "vendor", d.vendors),
      countTable("share-by-domain-kind", "Mail domains by kind", "kind", d.kinds),
    );
    if (d.byCategory.length > 0) {
      const rows: Array<Record<string, Cell>> = [];
      for (const c of d.byCategory)
        for (const r of c.products)
          rows.push({ category: c.category, product: r.value, count: r.count, share: r.share });
      tables.push({
        id: "share-by-category",
        title: "Mail domains by category and product",
        columns: [
          text("category", "category"),
          text("product", "product"),
          count("count", "domains"),
          percent("share", "share of the category"),
        ],
        rows,
      });
      const stack = d.byCategory.flatMap((c) => {
        const shown = c.products
          .slice(0, 8)
          .map((r) => ({ group: c.category, part: r.value, value: r.share }));
        const rest = c.products.slice(8).reduce((sum, r) => sum + r.share, 0);
        return rest > 0 ? [...shown, { group: c.category, part: "other", value: rest }] : shown;
      });
      charts.push(
        stackedBarChart("share-by-category", "Mail domains by category and product", stack, {
          title: "share of the category's domains",
          legend: "product",
        }),
      );
    }
  }
  return { id: "market-share", title: "Market share", paragraphs, charts, tables };
}

function versionSection(hosts: SoftwareCounts, products: number, perProduct: number): ReportSection {
  const shown = hosts.versions.slice(0, products);
  const rows: Array<Record<string, Cell>> = [];
  const stack: Array<{ group: string; part: string; value: number }> = [];
  for (const p of shown) {
    for (const v of p.versions)
      rows.push({ product: p.product, version: v.value, count: v.count, share: v.share });
    for (const v of p.versions.slice(0, perProduct))
      stack.push({ group: p.product, part: v.value, value: v.count });
    const rest = p.versions.slice(perProduct).reduce((sum, v) => sum + v.count, 0);
    if (rest > 0) stack.push({ group: p.product, part: "other", value: rest });
  }
  return {
    id: "versions",
    title: "Versions",
    paragraphs: [
      `The version spread of the ${shown.length} most common identified products, hosts as the unit. A version ` +
        "range (from the product's version ladder) stands in where no exact version was read.",
    ],
    // an empty stack has no extent to draw (Vega warns): no chart when nothing was identified
    charts:
      stack.length === 0
        ? []
        : [
            stackedBarChart("versions", "Versions of the top products", stack, {
              title: "hosts",
              legend: "version",
            }),
          ],
    tables: [
      {
        id: "versions",
        title: "Versions of the top products",
        columns: [
          text("product", "product"),
          text("version", "version"),
          count("count", "hosts"),
          percent("share", "share of the product"),
        ],
        rows,
      },
    ],
  };
}

const POSTURE_COLUMNS: Array<[keyof TlsPosture, string]> = [
  ["endpoints", "endpoints"],
  ["starttlsOffered", "STARTTLS offered"],
  ["implicitTls", "implicit TLS"],
  ["handshakes", "handshakes"],
  ["handshakeFailures", "handshake failures"],
  ["withCertificate", "with a certificate"],
  ["selfSigned", "self-signed"],
  ["expired", "expired"],
  ["notYetValid", "not yet valid"],
  ["weakKey", "weak key"],
  ["serverNameMatch", "names the announced host"],
  ["serverNameMismatch", "does not name it"],
  ["ptrMatch", "names the PTR"],
  ["ptrMismatch", "does not name the PTR"],
  ["sharedKey", "key shared"],
];

/** snake_case for CSV headers */
const columnKey = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function tlsSection(postures: TlsPosture[]): ReportSection {
  const all = postures[0];
  const rows = postures.map((p) => {
    const row: Record<string, Cell> = { scope: p.scope === "all" ? "all SMTP ports" : `port ${p.scope}` };
    for (const [key] of POSTURE_COLUMNS) row[columnKey(key)] = p[key] as number;
    return row;
  });
  const tables: ReportTable[] = [
    {
      id: "tls-posture",
      title: "TLS posture of SMTP endpoints that answered",
      columns: [
        text("scope", "ports"),
        ...POSTURE_COLUMNS.map(([key, label]) => count(columnKey(key), label)),
      ],
      rows,
      note:
        "STARTTLS offered: listed in the EHLO reply (implicit-TLS ports counted apart). Expired and not yet valid " +
        "compare the leaf's dates with the time of the grab. Weak: RSA under 2048 bits, any DSA, EC under 224 bits. " +
        "Key shared: the leaf's key is presented by another endpoint too (any port, protocol or address).",
    },
  ];
  const charts: ReportChart[] = [];
  if (all) {
    tables.push(
      countTable("tls-versions", "TLS versions negotiated", "version", all.versions),
      countTable("tls-ciphers", "Most common ciphers", "cipher", all.ciphers),
      countTable("tls-key-kinds", "Leaf key kinds", "key", all.keyKinds),
    );
    const plain = all.endpoints - all.implicitTls;
    const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
    charts.push(
      barChart(
        "tls-posture",
        "TLS posture (all SMTP ports)",
        [
          { label: "STARTTLS offered (of plain-text endpoints)", value: share(all.starttlsOffered, plain) },
          { label: "handshake done (of endpoints)", value: share(all.handshakes, all.endpoints) },
          { label: "self-signed (of certificates)", value: share(all.selfSigned, all.withCertificate) },
          { label: "expired (of certificates)", value: share(all.expired, all.withCertificate) },
          { label: "weak key (of certificates)", value: share(all.weakKey, all.withCertificate) },
          {
            label: "names the announced host (of certificates)",
            value: share(all.serverNameMatch, all.withCertificate),
          },
          { label: "key shared (of certificates)", value: share(all.sharedKey, all.withCertificate) },
        ],
        { title: "share", percent: true },
      ),
    );
  }
  return {
    id: "tls",
    title: "TLS posture",
    paragraphs: ["Over SMTP endpoints (smtp and smtps) that answered, all ports together and then per port."],
    charts,
    tables,
  };
}

function estimateSection(result: TallyResult): ReportSection {
  const e = result.estimates;
  if (!e) throw new Error("estimateSection needs estimates");
  const rows = e.rows.map((r) => ({
    label: r.label,
    successes: r.successes,
    trials: r.trials,
    of: r.of,
    p: r.p,
    low: r.low,
    high: r.high,
    population: Math.round(r.population),
    population_low: Math.round(r.populationLow),
    population_high: Math.round(r.populationHigh),
  }));
  const confidence = `${Math.round(100 * (2 * normalCdf(e.z) - 1))} %`;
  return {
    id: "estimates",
    title: "Estimates",
    paragraphs: [
      `The targets were a sample of ${n(e.sampled)} addresses from a space of ${n(e.spaceSize)}. Each proportion ` +
        `has its ${confidence} Wilson score interval; the population columns scale the count in the sample to the ` +
        "whole space (space × count ÷ sample), with the interval scaled alike.",
    ],
    charts: [
      intervalChart(
        "estimates",
        `Proportions with ${confidence} intervals`,
        e.rows.map((r) => ({ label: `${r.label} (of ${r.of})`, value: r.p, low: r.low, high: r.high })),
        "proportion",
      ),
    ],
    tables: [
      {
        id: "estimates",
        title: "Estimates with intervals",
        columns: [
          text("label", "proportion"),
          count("successes", "count"),
          count("trials", "out of"),
          text("of", "out of what"),
          percent("p", "share"),
          percent("low", "low"),
          percent("high", "high"),
          count("population", "in the space"),
          count("population_low", "low"),
          count("population_high", "high"),
        ],
        rows,
      },
    ],
  };
}

/** Φ(z), for naming the interval's level (Abramowitz and Stegun 7.1.26, error under 1.5e-7) */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** The prior over products: the world's (rules/priors.yaml) beside the one this run re-estimated. */
function priorSection(result: TallyResult): ReportSection {
  const priors = result.priors ?? [];
  return {
    id: "priors",
    title: "Priors over products",
    paragraphs: [
      "Identification weighs each record's evidence by a prior over products. The world prior comes " +
        "from published population figures (rules/priors.yaml names each source and date); the run's " +
        "prior is re-estimated from this run's own records by expectation-maximisation, so that an " +
        "ambiguous record is weighed against what this survey found. Products at 0.5 % or more under " +
        "either prior are listed.",
    ],
    tables: priors.map((p) => ({
      id: `priors-${p.protocol}`,
      title: `${p.protocol.toUpperCase()}: prior over products (${n(p.records)} records)`,
      columns: [
        text("product", "product"),
        percent("world", "world prior"),
        percent("run", "this run's prior"),
      ],
      rows: p.rows.map((r) => ({ product: r.product, world: r.world, run: r.run })),
    })),
  };
}
