/**
 * The detailed drawing of a small key-reuse cluster: one node per host (address) and, between
 * two hosts, one edge per protocol pair over which they share keys.
 *
 * Several keys shared by the same two hosts over the same protocol pair (an SSH server's RSA,
 * ECDSA and Ed25519 host keys cloned onto a second machine) are ONE edge labelled "N keys" with
 * their kinds: five parallel edges say nothing more and cost the layout room. A key a host
 * presents on several of its own ports (Postfix on 25, 587 and 465) is written in the host's
 * label, not drawn as a self-loop.
 */
import type { Cluster, ClusterKey, ClusterMember } from "../core/cluster-types.js";
import { clip, DotGraph, visibleText } from "./dot.js";
import { GRAPH_FONT, textWidth } from "./graph-font.js";
import { addLegend, familySet, pairColours, protocolPair } from "./protocol-palette.js";

interface Host {
  id: string;
  ip: string;
  name: string | null;
  endpoints: ClusterMember[];
  /** key index → the protocols this host presents it on */
  keyProtocols: Map<number, Set<string>>;
}

/**
 * undefined when the drawing would need more than `maxEdges` edges: a key on 20 hosts is already
 * 190 host-to-host edges, unreadable and slow to lay out (Graphviz took 2.7 s for 231 labelled
 * edges, minutes for 1,770), so such a cluster gets the keys-to-groups drawing instead (cluster-key-groups.ts).
 */
export function detailedClusterDot(cluster: Cluster, title: string, maxEdges: number): string | undefined {
  const hosts = hostsOf(cluster.members);
  const edges = sharedKeyEdges(hosts);
  if (edges.length > maxEdges) return undefined;
  const colours = pairColours(edges.map((e) => e.pair));

  const graph = new DotGraph("graph", title, { measure: textWidth });
  graph.set({
    label: title,
    labelloc: "t",
    fontname: GRAPH_FONT,
    fontsize: 12,
    rankdir: "LR",
    nodesep: 0.4,
  });
  graph.nodeDefaults({ shape: "box", style: "rounded", fontname: GRAPH_FONT, fontsize: 10 });
  graph.edgeDefaults({ fontname: GRAPH_FONT, fontsize: 9 });
  for (const host of hosts) graph.node(host.id, { label: hostLabel(host, cluster.keys) });
  for (const edge of edges) {
    graph.edge(edge.a.id, edge.b.id, {
      label: edgeLabel(edge.keys.map((k) => cluster.keys[k]).filter((k) => k !== undefined)),
      color: colours.get(edge.pair),
      fontcolor: colours.get(edge.pair),
      penwidth: 1 + Math.log2(edge.keys.length),
    });
  }
  addLegend(graph, "key shared over", colours);
  return graph.toString();
}

function hostsOf(members: readonly ClusterMember[]): Host[] {
  const byIp = new Map<string, Host>();
  for (const member of members) {
    let host = byIp.get(member.ip);
    if (!host) {
      host = { id: `h${byIp.size}`, ip: member.ip, name: null, endpoints: [], keyProtocols: new Map() };
      byIp.set(member.ip, host);
    }
    host.name ??= member.name;
    host.endpoints.push(member);
    for (const key of member.keys) {
      const protocols = host.keyProtocols.get(key) ?? new Set<string>();
      protocols.add(member.protocol);
      host.keyProtocols.set(key, protocols);
    }
  }
  for (const host of byIp.values()) host.endpoints.sort((x, y) => x.port - y.port);
  return [...byIp.values()];
}

interface SharedKeyEdge {
  a: Host;
  b: Host;
  pair: string;
  keys: number[];
}

/** One edge per (host pair, protocol-family pair), carrying every key shared that way. */
function sharedKeyEdges(hosts: readonly Host[]): SharedKeyEdge[] {
  const edges = new Map<string, SharedKeyEdge>();
  for (let i = 0; i < hosts.length; i++) {
    const a = hosts[i] as Host;
    for (let j = i + 1; j < hosts.length; j++) {
      const b = hosts[j] as Host;
      for (const [key, protocolsA] of a.keyProtocols) {
        const protocolsB = b.keyProtocols.get(key);
        if (!protocolsB) continue;
        const pair = protocolPair(familySet(protocolsA), familySet(protocolsB));
        const id = `${i} ${j} ${pair}`;
        const edge = edges.get(id) ?? { a, b, pair, keys: [] };
        edge.keys.push(key);
        edges.set(id, edge);
      }
    }
  }
  return [...edges.values()];
}

function hostLabel(host: Host, keys: readonly ClusterKey[]): string {
  const lines = [visibleText(host.ip)];
  if (host.name) lines.push(clip(visibleText(host.name), 48));
  lines.push(wrap(host.endpoints.map((e) => `${e.port}/${visibleText(e.protocol)}`)));
  // The same key on several of this host's ports: said here, where a self-loop would have been.
  for (const [keyIndex] of host.keyProtocols) {
    const ports = host.endpoints.filter((e) => e.keys.includes(keyIndex)).map((e) => e.port);
    if (ports.length < 2) continue;
    const key = keys[keyIndex];
    lines.push(`same ${key ? keyName(key) : "key"} on ${[...new Set(ports)].join(", ")}`);
  }
  return lines.join("\n");
}

function edgeLabel(keys: readonly ClusterKey[]): string {
  const [only] = keys;
  if (keys.length === 1 && only)
    return only.known ? `${keyName(only)}\n${clip(visibleText(only.known), 40)}` : keyName(only);
  const kinds = [...new Set(keys.map((k) => visibleText(k.kind)))].sort();
  return `${keys.length} keys\n${wrap(kinds)}`;
}

export function keyName(key: ClusterKey): string {
  return `${visibleText(key.kind)} ${visibleText(key.spki_sha256.slice(0, 8))}`;
}

/** Items joined by spaces, a line break every `perLine` items so a host with 20 ports stays narrow. */
function wrap(items: readonly string[], perLine = 4): string {
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(" "));
  return lines.join("\n");
}
