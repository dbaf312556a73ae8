/**
 * The market-share section: which software answers, counted by host (addresses merged by a shared
 * key and name, so one big provider's thousand addresses do not count a thousand times), by
 * endpoint, by protocol and, when the run had target domains, by mail domain and its category.
 */
import type { TallyResult } from "../../analysis/tally-types.js";
import type { Cell, ReportTable } from "../../core/table.js";
import { stackedBarChart } from "../chart-specs.js";
import type { ReportSection } from "../report-model.js";
import { countText, shareText } from "./prose-numbers.js";
import { countChart, countColumn, countTable, percentColumn, textColumn } from "./section-tables.js";

export function marketShareSection(result: TallyResult, top: number): ReportSection {
  const s = result.software;
  const m = s.merge;
  const mergeNote =
    `${countText(m.addresses)} answering addresses are ${countText(m.hosts)} hosts: ${countText(m.mergedAddresses)} addresses were merged ` +
    `into ${countText(m.multiAddressHosts)} multi-address hosts (largest ${countText(m.largestHost)}), by a shared key and a shared announced name.`;
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
        textColumn("protocol", "protocol"),
        textColumn("product", "product"),
        countColumn("count", "endpoints"),
        percentColumn("share", "share of the protocol"),
      ],
      rows: byProtocol,
    },
  ];
  const d = result.domains;
  if (d) {
    paragraphs.push(
      `By mail domain (${countText(d.domains)} domains): each domain counts the software of its most preferred MX address ` +
        `that answered SMTP on port 25; ${countText(d.noAnswer)} domains (${shareText(d.noAnswer, d.domains)}) had no MX address that answered.`,
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
          textColumn("category", "category"),
          textColumn("product", "product"),
          countColumn("count", "domains"),
          percentColumn("share", "share of the category"),
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
