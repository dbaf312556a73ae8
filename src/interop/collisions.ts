/**
 * collisions.json in the key-reuse survey's format (surveys.md §2.2, SameKeys.py's `OneFP`), made
 * from smtpsurvey's clusters so that the old graphing and counting scripts keep working:
 * - a cluster there is a set of hosts (addresses), so smtpsurvey's endpoint clusters are joined
 *   wherever they share an address; an endpoint cluster on one address alone (a key reused
 *   across one host's ports) makes no collision, as in SameKeys;
 * - `fprints` holds each port's key identity: smtpsurvey's `spki_sha256` for SSH as for TLS (the
 *   old SSH fingerprint hashed the wire blob, so an SSH key reused for TLS could never match);
 * - `rcs` lists each peer host (by its line in records.fresh) with the port-pair bitmask and
 *   text SameKeys writes: bit (remote + 8·local) over [p22, p25, p110, p143, p443, p587, p993];
 *   ports outside those seven have no bit and appear in `str_colls` only;
 * - cluster numbers count from 1, largest first, in smtpsurvey's cluster order.
 * The file is SameKeys's layout: a JSON array whose entries, indented 2 with sorted keys, are
 * separated by "\n,\n"; only hosts with a peer are in it.
 */

import { UnionFind } from "../analysis/union-find.js";
import type { Cluster } from "../core/cluster-types.js";

const BIT_PORTS = [22, 25, 110, 143, 443, 587, 993];

/** What the export knows of each host: its line in records.fresh, its ASN, its ports' keys. */
export interface HostLine {
  ip: string;
  ipRecord: number;
  asn: number | null;
  /** port → the spki_sha256 of every key the port presented */
  keys: Map<number, string[]>;
  /** SameKeys's per-port `analysis` and `nameset`, which every old reader of the file expects */
  analysis: Record<string, unknown>;
}

interface Peer {
  mask: bigint;
  pairs: Set<string>;
}

export function collisionEntries(
  clusters: readonly Cluster[],
  hosts: ReadonlyMap<string, HostLine>,
): object[] {
  // hosts joined through the endpoint clusters; each pair of hosts that present one key is an edge
  const ids = new Map<string, number>();
  const forest = new UnionFind();
  const id = (ip: string) => {
    let n = ids.get(ip);
    if (n === undefined) {
      n = forest.add();
      ids.set(ip, n);
    }
    return n;
  };
  const peers = new Map<string, Map<string, Peer>>();
  const clusterOrder = new Map<number, number>();
  clusters.forEach((cluster) => {
    // each key's presenters, from one pass over the members
    const presentersOf = cluster.keys.map((): typeof cluster.members => []);
    for (const member of cluster.members) for (const k of member.keys) presentersOf[k]?.push(member);
    for (const presenters of presentersOf) {
      for (const a of presenters)
        for (const b of presenters) {
          if (a.ip === b.ip) continue;
          forest.union(id(a.ip), id(b.ip));
          const peer = peerOf(peers, a.ip, b.ip);
          const local = BIT_PORTS.indexOf(a.port);
          const remote = BIT_PORTS.indexOf(b.port);
          if (local >= 0 && remote >= 0) peer.mask |= 1n << BigInt(remote + 8 * local);
          peer.pairs.add(`p${a.port}==p${b.port}`);
        }
    }
  });
  // after every union: the first endpoint cluster that reaches a host cluster orders it
  clusters.forEach((cluster, index) => {
    for (const member of cluster.members) {
      const n = ids.get(member.ip);
      if (n === undefined) continue;
      const root = forest.find(n);
      if (!clusterOrder.has(root)) clusterOrder.set(root, index);
    }
  });

  // cluster numbers: by the first (largest) endpoint cluster each host cluster holds
  const rootsInOrder = [...new Set([...peers.keys()].map((ip) => forest.find(id(ip))))].sort(
    (a, b) => (clusterOrder.get(a) as number) - (clusterOrder.get(b) as number),
  );
  const numberOf = new Map(rootsInOrder.map((root, i) => [root, i + 1]));
  const sizeOf = new Map<number, number>();
  for (const ip of peers.keys()) {
    const root = forest.find(id(ip));
    sizeOf.set(root, (sizeOf.get(root) ?? 0) + 1);
  }

  const entries: Array<{ order: number; ipRecord: number; entry: object }> = [];
  for (const [ip, byPeer] of peers) {
    const host = hosts.get(ip);
    if (!host) continue;
    const root = forest.find(id(ip));
    const rcs: Record<string, object> = {};
    for (const [peerIp, peer] of byPeer) {
      const other = hosts.get(peerIp);
      if (!other) continue;
      rcs[String(other.ipRecord)] = {
        ip: peerIp,
        ...(other.asn !== host.asn ? { asn: "", asndec: other.asn ?? 0 } : {}),
        ports: `0x${peer.mask.toString(16).padStart(16, "0")}`,
        str_colls: [...peer.pairs]
          .sort()
          .map((pair) => `${pair};`)
          .join(""),
      };
    }
    const fprints: Record<string, string> = {};
    for (const [port, keys] of [...host.keys].sort((a, b) => a[0] - b[0]))
      if (keys[0]) fprints[`p${port}`] = keys[0];
    entries.push({
      order: numberOf.get(root) as number,
      ipRecord: host.ipRecord,
      entry: {
        ip,
        ip_record: host.ipRecord,
        writer: "FreshGrab.py",
        asn: "",
        asndec: host.asn ?? 0,
        clusternum: numberOf.get(root) as number,
        csize: sizeOf.get(root) as number,
        nrcs: Object.keys(rcs).length,
        fprints,
        rcs,
        analysis: host.analysis,
      },
    });
  }
  entries.sort((a, b) => a.order - b.order || a.ipRecord - b.ipRecord);
  return entries.map((e) => e.entry);
}

function peerOf(peers: Map<string, Map<string, Peer>>, a: string, b: string): Peer {
  let byPeer = peers.get(a);
  if (!byPeer) {
    byPeer = new Map();
    peers.set(a, byPeer);
  }
  let peer = byPeer.get(b);
  if (!peer) {
    peer = { mask: 0n, pairs: new Set() };
    byPeer.set(b, peer);
  }
  return peer;
}

/** SameKeys's layout: entries indented 2 with sorted keys, "\n,\n" between them, in one array. */
export function collisionsJson(entries: readonly object[]): string {
  if (entries.length === 0) return "[]\n";
  return `[\n${entries.map((e) => JSON.stringify(sortKeys(e), null, 2)).join("\n,\n")}\n]\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
