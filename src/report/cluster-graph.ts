/**
 * Key-reuse cluster graphs for the HTML report: `clusterDot` picks the drawing (every host and
 * shared key for small, sparse clusters; a bounded keys-to-host-groups drawing for large ones and
 * for small ones whose host-to-host drawing would be a dense mesh), `overviewDot` draws all
 * clusters at once, and `renderSvg` turns any of them into inline-ready SVG.
 */
import type { Cluster } from "../core/cluster-types.js";
import { detailedClusterDot } from "./cluster-detail.js";
import { keyGroupsClusterDot } from "./cluster-key-groups.js";
import { clip } from "./dot.js";

export type { OverviewOptions } from "./cluster-overview.js";
export { overviewDot } from "./cluster-overview.js";
export type { RenderOptions } from "./render-svg.js";
export { renderSvg } from "./render-svg.js";

export interface ClusterGraphOptions {
  /** clusters with at most this many endpoints are drawn host by host (default 60)… */
  maxDetailedEndpoints?: number;
  /**
   * …when that drawing needs at most this many host-to-host edges (default 100): a key shared by
   * many hosts is a full mesh, so such clusters get the keys-to-groups drawing
   */
  maxDetailedEdges?: number;
  /** in the keys-to-groups drawing: keys with their own node (default 24) */
  maxKeyNodes?: number;
  /** in the keys-to-groups drawing: host groups with their own node (default 40) */
  maxHostGroups?: number;
  /** in the keys-to-groups drawing: edges from keys to drawn host groups (default 250) */
  maxSummaryEdges?: number;
  /** graph title; default "key-reuse cluster <id>: N endpoints on H hosts, K keys" */
  title?: string;
}

export function clusterDot(cluster: Cluster, options: ClusterGraphOptions = {}): string {
  const title = options.title ?? defaultTitle(cluster);
  if (cluster.members.length <= (options.maxDetailedEndpoints ?? 60)) {
    const detailed = detailedClusterDot(cluster, title, options.maxDetailedEdges ?? 100);
    if (detailed !== undefined) return detailed;
  }
  return keyGroupsClusterDot(cluster, title, {
    maxKeyNodes: Math.max(1, options.maxKeyNodes ?? 24),
    maxHostGroups: Math.max(1, options.maxHostGroups ?? 40),
    maxEdges: Math.max(1, options.maxSummaryEdges ?? 250),
  });
}

/** Counted from the members, so the title agrees with the drawing whatever the size fields say. */
function defaultTitle(cluster: Cluster): string {
  const hosts = new Set(cluster.members.map((m) => m.ip)).size;
  const keys = cluster.keys.length;
  return `key-reuse cluster ${clip(cluster.id, 16)}: ${cluster.members.length} endpoints on ${hosts} hosts, ${keys} key${keys === 1 ? "" : "s"}`;
}
