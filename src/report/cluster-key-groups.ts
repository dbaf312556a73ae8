/**
 * The keys-to-groups drawing of a large key-reuse cluster: a bipartite graph of keys and host groups.
 *
 * A full host mesh is quadratic (a key shared by 2,000 hosts is two million edges), so instead:
 * one node per key (the most widespread ones; the rest fold into one "other keys" node), and one
 * node per group of hosts that present exactly the same set of those keys, labelled with its
 * host count, where the addresses lie and which ports they serve. An edge joins a key to each group
 * presenting it, labelled with the number of hosts. Grouping by key set (not by address prefix)
 * keeps the drawing faithful: two groups are apart only because they hold different keys. The
 * biggest groups are drawn; the rest fold into one "other hosts" node. Node count is therefore at
 * most maxKeyNodes + maxHostGroups + 2 (+ legend), and edges at most maxEdges + maxKeyNodes + 1,
 * whatever the cluster's size.
 */

import { parseCidr } from "../core/cidr.js";
import type { Cluster, ClusterKey, ClusterMember } from "../core/cluster-types.js";
import { keyName } from "./cluster-detail.js";
import { clip, DotGraph, visibleText } from "./dot.js";
import { GRAPH_FONT, textWidth } from "./graph-font.js";
import { addLegend, familySet, pairColours, textColourOn } from "./protocol-palette.js";

export interface KeyGroupLimits {
  /** keys drawn as their own node, most widespread first */
  maxKeyNodes: number;
  /** host groups drawn as their own node, biggest first */
  maxHostGroups: number;
  /**
   * edges from keys to drawn groups: Graphviz's layout time grows faster than linearly with
   * labelled edges, so groups holding many keys each are folded sooner
   */
  maxEdges: number;
}

const OTHER_KEYS = "kother";
const OTHER_HOSTS = "gother";

interface HostSummary {
  ip: string;
  name: string | null;
  /** "port/protocol" of each endpoint */
  services: string[];
  /** ids of the key nodes this host presents (a key outside the drawn ones counts as OTHER_KEYS) */
  keyNodes: Set<string>;
}

export function keyGroupsClusterDot(cluster: Cluster, title: string, limits: KeyGroupLimits): string {
  const keyStats = keyStatistics(cluster);
  const ranked = [...keyStats.keys()].sort(
    (x, y) =>
      (keyStats.get(y)?.endpoints ?? 0) - (keyStats.get(x)?.endpoints ?? 0) ||
      (cluster.keys[x]?.spki_sha256 ?? "").localeCompare(cluster.keys[y]?.spki_sha256 ?? ""),
  );
  const drawn = ranked.slice(0, limits.maxKeyNodes);
  const folded = ranked.slice(limits.maxKeyNodes);
  const nodeOfKey = new Map<number, string>(drawn.map((key, rank) => [key, `k${rank}`]));

  const hosts = hostSummaries(cluster.members, (key) => nodeOfKey.get(key) ?? OTHER_KEYS);
  const groups = groupByKeySet(hosts);
  const shown = groupsWithinBudget(groups, limits);
  const shownGroups = groups.slice(0, shown);
  const overflowHosts = groups.slice(shown).flat();

  const keyFamilies = new Map(
    drawn.map((key) => [key, familyPair(keyStats.get(key)?.protocols ?? new Set())]),
  );
  const colours = pairColours(keyFamilies.values());

  const graph = new DotGraph("graph", title, { measure: textWidth });
  graph.set({
    label: `${title}\nsummary: keys (left), groups of hosts presenting exactly those keys (right); edge numbers count hosts`,
    labelloc: "t",
    fontname: GRAPH_FONT,
    fontsize: 12,
    rankdir: "LR",
    ranksep: 1.2,
  });
  graph.nodeDefaults({ shape: "box", style: "rounded", fontname: GRAPH_FONT, fontsize: 10 });
  graph.edgeDefaults({ fontname: GRAPH_FONT, fontsize: 9, color: "#777777" });

  for (const [rank, keyIndex] of drawn.entries()) {
    const key = cluster.keys[keyIndex];
    const stats = keyStats.get(keyIndex);
    const colour = colours.get(keyFamilies.get(keyIndex) ?? "") ?? "#7F7F7F";
    graph.node(`k${rank}`, {
      label: keyLabel(key, stats),
      style: "filled,rounded",
      fillcolor: colour,
      fontcolor: textColourOn(colour),
    });
  }
  if (folded.length > 0) {
    const foldedSet = new Set(folded);
    const endpoints = cluster.members.filter((m) => m.keys.some((k) => foldedSet.has(k))).length;
    graph.node(OTHER_KEYS, {
      label: `${folded.length} other keys\non ${endpoints} endpoints`,
      style: "dashed",
    });
  }

  for (const [i, group] of shownGroups.entries()) {
    graph.node(`g${i}`, { label: groupLabel(group) });
    for (const keyNode of sortedKeyNodes(group[0]?.keyNodes ?? new Set())) {
      graph.edge(keyNode, `g${i}`, { label: String(group.length), penwidth: penwidth(group.length) });
    }
  }
  if (overflowHosts.length > 0) {
    const otherGroups = groups.length - shownGroups.length;
    graph.node(OTHER_HOSTS, {
      label: `${otherGroups} smaller group${otherGroups === 1 ? "" : "s"}\n${groupLabel(overflowHosts)}`,
      style: "dashed",
    });
    const perKey = new Map<string, number>();
    for (const host of overflowHosts)
      for (const node of host.keyNodes) perKey.set(node, (perKey.get(node) ?? 0) + 1);
    for (const keyNode of sortedKeyNodes(new Set(perKey.keys()))) {
      const count = perKey.get(keyNode) ?? 0;
      graph.edge(keyNode, OTHER_HOSTS, { label: String(count), penwidth: penwidth(count), style: "dashed" });
    }
  }
  addLegend(graph, "key seen over", colours);
  return graph.toString();
}

interface KeyStats {
  endpoints: number;
  hosts: Set<string>;
  protocols: Set<string>;
}

/** Counted from the members themselves, so the labels agree with the drawing. */
function keyStatistics(cluster: Cluster): Map<number, KeyStats> {
  const stats = new Map<number, KeyStats>();
  for (const member of cluster.members) {
    for (const key of new Set(member.keys)) {
      const entry = stats.get(key) ?? {
        endpoints: 0,
        hosts: new Set<string>(),
        protocols: new Set<string>(),
      };
      entry.endpoints += 1;
      entry.hosts.add(member.ip);
      entry.protocols.add(member.protocol);
      stats.set(key, entry);
    }
  }
  return stats;
}

/** A key seen over one family is "smtp–smtp"; over two, "https–smtp"; over more, "https+imap+smtp". */
function familyPair(protocols: ReadonlySet<string>): string {
  const families = familySet(protocols).split("+");
  if (families.length === 1) return `${families[0]}–${families[0]}`;
  return families.join(families.length === 2 ? "–" : "+");
}

function keyLabel(key: ClusterKey | undefined, stats: KeyStats | undefined): string {
  const lines = [key ? keyName(key) : "unknown key"];
  lines.push(`${stats?.endpoints ?? 0} endpoints, ${stats?.hosts.size ?? 0} hosts`);
  lines.push([...(stats?.protocols ?? [])].map(visibleText).sort().join(", "));
  if (key?.known) lines.push(`known: ${clip(visibleText(key.known), 40)}`);
  return lines.join("\n");
}

function hostSummaries(members: readonly ClusterMember[], nodeOf: (key: number) => string): HostSummary[] {
  const byIp = new Map<string, HostSummary>();
  for (const member of members) {
    let host = byIp.get(member.ip);
    if (!host) {
      host = { ip: member.ip, name: null, services: [], keyNodes: new Set() };
      byIp.set(member.ip, host);
    }
    host.name ??= member.name;
    host.services.push(`${member.port}/${member.protocol}`);
    for (const key of member.keys) host.keyNodes.add(nodeOf(key));
  }
  return [...byIp.values()];
}

/** Hosts grouped by the exact set of key nodes they present, biggest group first. */
function groupByKeySet(hosts: readonly HostSummary[]): HostSummary[][] {
  const groups = new Map<string, HostSummary[]>();
  for (const host of hosts) {
    const signature = sortedKeyNodes(host.keyNodes).join(" ");
    const group = groups.get(signature) ?? [];
    group.push(host);
    groups.set(signature, group);
  }
  return [...groups.entries()]
    .sort(([sx, x], [sy, y]) => y.length - x.length || sx.localeCompare(sy))
    .map(([, group]) => group);
}

/** How many of the biggest groups to draw: at most maxHostGroups, their edges within maxEdges. */
function groupsWithinBudget(groups: readonly HostSummary[][], limits: KeyGroupLimits): number {
  let edges = 0;
  let shown = 0;
  for (const group of groups.slice(0, limits.maxHostGroups)) {
    edges += group[0]?.keyNodes.size ?? 0;
    if (edges > limits.maxEdges && shown > 0) break;
    shown += 1;
  }
  return shown;
}

/** k0, k1, …, k10, then kother: by rank, not by string. */
function sortedKeyNodes(nodes: ReadonlySet<string>): string[] {
  const rank = (node: string): number =>
    node === OTHER_KEYS ? Number.MAX_SAFE_INTEGER : Number(node.slice(1));
  return [...nodes].sort((x, y) => rank(x) - rank(y));
}

function groupLabel(group: readonly HostSummary[]): string {
  const [only] = group;
  if (group.length === 1 && only) {
    const lines = [visibleText(only.ip)];
    if (only.name) lines.push(clip(visibleText(only.name), 48));
    lines.push(topCounts(only.services, 4));
    return lines.join("\n");
  }
  const endpoints = group.reduce((sum, host) => sum + host.services.length, 0);
  return [
    `${group.length} hosts, ${endpoints} endpoints`,
    prefixSummary(group.map((h) => h.ip)),
    topCounts(
      group.flatMap((h) => h.services),
      3,
    ),
  ].join("\n");
}

/** Where a group's addresses lie: one /24 (IPv6 /48), else one /16 (/32), else the biggest of several. */
export function prefixSummary(ips: readonly string[]): string {
  const v6 = ips.filter((ip) => ip.includes(":")).length;
  const unit = (v4: string, v6name: string) =>
    v6 === 0 ? v4 : v6 === ips.length ? v6name : `${v4} or ${v6name}`;
  const narrow = countBy(ips.map((ip) => prefixOf(ip, 24, 48)));
  if (narrow.size === 1) return `all in ${[...narrow.keys()][0]}`;
  const wide = countBy(ips.map((ip) => prefixOf(ip, 16, 32)));
  const [top, topCount] = [...wide.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0] ?? [
    "?",
    0,
  ];
  if (wide.size === 1) return `all in ${top}, ${narrow.size} ${unit("/24s", "/48s")}`;
  return `${wide.size} ${unit("/16s", "/32s")}, most in ${top} (${topCount})`;
}

function prefixOf(ip: string, v4Bits: 16 | 24, v6Bits: number): string {
  // Dotted quads by string arithmetic: going through ipaddr.js costs ~40 µs an address, which
  // is most of the time a 10,000-host cluster takes.
  const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (quad) return v4Bits === 24 ? `${quad[1]}.${quad[2]}.${quad[3]}.0/24` : `${quad[1]}.${quad[2]}.0.0/16`;
  try {
    return parseCidr(`${ip}/${ip.includes(":") ? v6Bits : v4Bits}`).text;
  } catch {
    return visibleText(ip); // not an address: stands alone rather than failing the whole report
  }
}

/** "25/smtp ×9000, 443/https ×12 +3 more" */
function topCounts(items: readonly string[], shown: number): string {
  const counts = [...countBy(items).entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
  const head = counts
    .slice(0, shown)
    .map(([item, n]) => (n > 1 ? `${visibleText(item)} ×${n}` : visibleText(item)));
  const more = counts.length > shown ? ` +${counts.length - shown} more` : "";
  return `${head.join(", ")}${more}`;
}

function countBy(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

function penwidth(hosts: number): number {
  return Math.round((1 + Math.log10(hosts) * 1.5) * 10) / 10;
}
