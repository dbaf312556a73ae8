/**
 * One picture of all key-reuse clusters: the biggest as boxes whose size and label say how many
 * endpoints and hosts they hold and which kinds of key and protocols tie them; the rest as one
 * "others" box. Clusters are unrelated to each other, so there are no edges; invisible edges only
 * stack the boxes in rows, since the dot engine would otherwise put every box on one line.
 */
import type { Cluster } from "../core/cluster-types.js";
import { clip, DotGraph, visibleText } from "./dot.js";
import { GRAPH_FONT, textWidth } from "./graph-font.js";
import { familySet } from "./protocol-palette.js";

export interface OverviewOptions {
  /** clusters drawn individually, largest first (default 20) */
  top?: number;
  /** boxes per row (default 5) */
  perRow?: number;
  title?: string;
}

export function overviewDot(clusters: readonly Cluster[], options: OverviewOptions = {}): string {
  const top = Math.max(0, options.top ?? 20);
  const perRow = Math.max(1, options.perRow ?? 5);
  const sorted = [...clusters].sort((x, y) => y.size - x.size || x.id.localeCompare(y.id));
  const shown = sorted.slice(0, top);
  const rest = sorted.slice(top);
  const title =
    options.title ??
    `key-reuse clusters: ${clusters.length}${rest.length > 0 ? ` (largest ${shown.length} drawn)` : ""}`;
  const largest = shown[0]?.size ?? 1;

  const graph = new DotGraph("graph", title, { measure: textWidth });
  graph.set({ label: title, labelloc: "t", fontname: GRAPH_FONT, fontsize: 12, nodesep: 0.3, ranksep: 0.3 });
  graph.nodeDefaults({ shape: "box", style: "rounded,filled", fillcolor: "#EEF3FA", fontname: GRAPH_FONT });

  const boxes: { id: string; label: string; fontsize: number; style?: string }[] = shown.map(
    (cluster, i) => ({
      id: `c${i}`,
      label: clusterLabel(cluster),
      // Area grows with the share of endpoints, but the smallest stays legible.
      fontsize: Math.round((9 + 9 * Math.sqrt(cluster.size / largest)) * 10) / 10,
    }),
  );
  if (rest.length > 0) {
    const endpoints = rest.reduce((sum, c) => sum + c.size, 0);
    const hosts = rest.reduce((sum, c) => sum + c.hosts, 0);
    boxes.push({
      id: "others",
      label: `${rest.length} other clusters\n${endpoints} endpoints, ${hosts} hosts`,
      fontsize: 9,
      style: "rounded,dashed",
    });
  }

  for (let row = 0; row * perRow < boxes.length; row++) {
    const cells = boxes.slice(row * perRow, (row + 1) * perRow);
    graph.subgraph(`row${row}`, (block) => {
      block.set({ rank: "same" });
      for (const box of cells)
        block.node(box.id, { label: box.label, fontsize: box.fontsize, style: box.style });
    });
    const below = boxes[(row + 1) * perRow];
    const first = cells[0];
    if (below && first) graph.edge(first.id, below.id, { style: "invis" });
  }
  return graph.toString();
}

function clusterLabel(cluster: Cluster): string {
  const kinds = countBy(cluster.keys.map((k) => visibleText(k.kind)));
  const kindText = [...kinds.entries()]
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind));
  const protocols = familySet(cluster.keys.flatMap((k) => k.protocols))
    .split("+")
    .map(visibleText);
  const known = cluster.keys.some((k) => k.known) ? "\nincludes a known (shipped) key" : "";
  return (
    [
      `cluster ${clip(visibleText(cluster.id), 14)}`,
      `${cluster.size} endpoints, ${cluster.hosts} hosts`,
      `${cluster.keys.length} key${cluster.keys.length === 1 ? "" : "s"}: ${clip(kindText.join(", "), 40)}`,
      protocols.join(", "),
    ].join("\n") + known
  );
}

function countBy(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
