/** The report's key-reuse section: the size distribution, the largest clusters, their graphs. */

import { clusterSizeDistribution } from "../analysis/clusters.js";
import type { Cluster } from "../core/cluster-types.js";
import { barChart } from "./chart-specs.js";
import { clusterDot, overviewDot, renderSvg } from "./cluster-graph.js";
import type { ReportFigure, ReportSection } from "./report-model.js";

export interface ClusterGraphs {
  /** file name (graphs/…) → SVG */
  files: Map<string, string>;
  /** the ones shown in the report */
  figures: ReportFigure[];
}

/** SVGs for the overview and the largest clusters (`drawn` of them; all are in clusters.jsonl). */
export async function clusterGraphs(clusters: readonly Cluster[], drawn = 12): Promise<ClusterGraphs> {
  const files = new Map<string, string>();
  const figures: ReportFigure[] = [];
  if (clusters.length === 0) return { files, figures };
  const overview = await renderSvg(overviewDot([...clusters]), {
    title: "key-reuse clusters, largest first",
    idPrefix: "overview-",
  });
  files.set("overview.svg", overview);
  figures.push({ id: "cluster-overview", title: "All clusters, largest first", svg: overview });
  for (const cluster of clusters.slice(0, drawn)) {
    const svg = await renderSvg(clusterDot(cluster), { idPrefix: `c${cluster.id}-` });
    files.set(`cluster-${cluster.id}.svg`, svg);
    figures.push({
      id: `cluster-${cluster.id}`,
      title: `Cluster ${cluster.id}: ${cluster.size} endpoints on ${cluster.hosts} hosts`,
      svg,
      caption: cluster.keys
        .map(
          (k) =>
            `${k.kind} ${k.spki_sha256.slice(0, 16)}… on ${k.protocols.join(", ")}${k.known ? ` (known: ${k.known})` : ""}`,
        )
        .join("; "),
    });
  }
  return { files, figures };
}

export function clusterSection(clusters: readonly Cluster[], figures: ReportFigure[]): ReportSection {
  const distribution = [...clusterSizeDistribution(clusters)].map(([size, count]) => ({
    label: `${size} endpoints`,
    value: count,
  }));
  const known = clusters.filter((c) => c.keys.some((k) => k.known));
  const endpoints = clusters.reduce((n, c) => n + c.size, 0);
  return {
    id: "clusters",
    title: "Shared keys",
    paragraphs: [
      clusters.length === 0
        ? "No two endpoints share a key."
        : `${clusters.length} clusters of endpoints that share a TLS or SSH key (${endpoints} endpoints in all): two endpoints sharing any key are in one cluster, across ports, protocols and addresses.`,
      ...(known.length > 0
        ? [
            `${known.length} clusters hold a key known to ship inside software (a library's or product's built-in key).`,
          ]
        : []),
    ],
    charts:
      distribution.length > 0
        ? [barChart("cluster-sizes", "Clusters by size", distribution, { title: "clusters" })]
        : [],
    tables: [
      {
        id: "clusters",
        title: "Clusters, largest first",
        columns: [
          { key: "id", label: "cluster" },
          { key: "size", label: "endpoints", numeric: true, format: "count" },
          { key: "hosts", label: "hosts", numeric: true, format: "count" },
          { key: "keys", label: "keys" },
          { key: "protocols", label: "protocols" },
          { key: "known", label: "known key" },
          { key: "members", label: "first members" },
        ],
        rows: clusters.map((c) => ({
          id: c.id,
          size: c.size,
          hosts: c.hosts,
          keys: c.keys.map((k) => k.kind).join(", "),
          protocols: [...new Set(c.keys.flatMap((k) => k.protocols))].sort().join(", "),
          known: c.keys.find((k) => k.known)?.known ?? null,
          members:
            c.members
              .slice(0, 6)
              .map((m) => `${m.ip}:${m.port}`)
              .join(" ") + (c.members.length > 6 ? " …" : ""),
        })),
        note: "Every cluster, with all its members and keys, is in clusters.jsonl.",
      },
    ],
    figures,
  };
}
