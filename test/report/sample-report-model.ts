/**
 * A small but complete ReportModel for the report tests: a bar chart, a chart with error bars, a
 * sortable table with numeric columns, a key-reuse cluster graph, and hostile text in places an
 * escaping mistake would show.
 */
import type { Cluster } from "../../src/core/cluster-types.js";
import { clusterDot, renderSvg } from "../../src/report/cluster-graph.js";
import type { ReportModel } from "../../src/report/report-model.js";

export const HOSTILE_PRODUCT = "<script>alert(1)</script>";

export const productRows = [
  { product: "Postfix", servers: 1520, share: 0.4121, version: "3.7.11" },
  { product: "Exim", servers: 980, share: 0.2657, version: "4.96" },
  { product: HOSTILE_PRODUCT, servers: 3, share: 0.0008, version: null },
  { product: "Microsoft Exchange", servers: 12040, share: 0.3214, version: "15.2" },
  { product: "OpenSMTPD", servers: 88, share: 0.0239, version: "7.4.0" },
];

const sharedKeyCluster: Cluster = {
  id: "aa".padStart(64, "0"),
  size: 4,
  hosts: 2,
  keys: [
    {
      spki_sha256: "aa".padStart(64, "0"),
      kind: "rsa-2048",
      protocols: ["https", "smtp", "smtps"],
      count: 4,
      known: null,
    },
  ],
  members: [
    { ip: "192.0.2.1", port: 25, protocol: "smtp", name: "mx.example.test", keys: [0] },
    { ip: "192.0.2.1", port: 587, protocol: "smtp", name: "mx.example.test", keys: [0] },
    { ip: "192.0.2.1", port: 465, protocol: "smtps", name: "mx.example.test", keys: [0] },
    { ip: "198.51.100.7", port: 443, protocol: "https", name: null, keys: [0] },
  ],
};

export async function sampleReportModel(): Promise<ReportModel> {
  const clusterSvg = await renderSvg(clusterDot(sharedKeyCluster), { idPrefix: "cluster-" });
  return {
    title: "Mail server survey — sample",
    generatedAt: "2026-06-20T12:00:00Z",
    summary: [
      { label: "Addresses scanned", value: "65,536" },
      { label: "SMTP servers", value: "14,631" },
      { label: "STARTTLS offered", value: "92.4%" },
      { label: "Key-reuse clusters", value: "1" },
    ],
    sections: [
      {
        id: "products",
        title: "Products",
        paragraphs: [
          "Products identified from banners and EHLO replies.",
          `Odd banner seen: ${HOSTILE_PRODUCT}`,
        ],
        charts: [
          {
            id: "products-bar",
            title: "Servers by product",
            spec: {
              $schema: "https://vega.github.io/schema/vega-lite/v5.json",
              data: { values: productRows },
              mark: "bar",
              encoding: {
                y: { field: "product", type: "nominal", sort: "-x", title: "Product" },
                x: { field: "servers", type: "quantitative", title: "Servers" },
              },
            },
          },
          {
            id: "starttls-by-country",
            title: "STARTTLS share by country (95% interval)",
            spec: {
              $schema: "https://vega.github.io/schema/vega-lite/v5.json",
              data: {
                values: [
                  { country: "DE", share: 0.94, low: 0.92, high: 0.96 },
                  { country: "US", share: 0.89, low: 0.86, high: 0.91 },
                  { country: "JP", share: 0.81, low: 0.74, high: 0.87 },
                ],
              },
              layer: [
                {
                  mark: "point",
                  encoding: {
                    x: { field: "country", type: "nominal", title: "Country" },
                    y: { field: "share", type: "quantitative", title: "Share", axis: { format: "%" } },
                  },
                },
                {
                  mark: "errorbar",
                  encoding: {
                    x: { field: "country", type: "nominal" },
                    y: { field: "low", type: "quantitative", title: "Share" },
                    y2: { field: "high" },
                  },
                },
              ],
            },
          },
        ],
        tables: [
          {
            id: "products",
            title: "Products",
            columns: [
              { key: "product", label: "Product" },
              { key: "servers", label: "Servers", numeric: true, format: "count" },
              { key: "share", label: "Share", numeric: true, format: "percent" },
              { key: "version", label: "Most common version" },
            ],
            rows: productRows,
            note: "One row per product; versions are the most common seen.",
          },
        ],
      },
      {
        id: "clusters",
        title: "Key reuse",
        paragraphs: ["Endpoints that present the same key, across ports and protocols."],
        figures: [
          {
            id: "cluster-1",
            title: "Largest key-reuse cluster",
            svg: clusterSvg,
            caption: "One RSA key on SMTP, SMTPS and HTTPS.",
          },
        ],
      },
    ],
    provenance: [
      "ASN and country: ip-location-db (CC BY 4.0)",
      "smtpsurvey 0.1.0, rules 2026-06",
      `Hostile provenance line: ${HOSTILE_PRODUCT}`,
    ],
  };
}
