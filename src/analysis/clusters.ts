/**
 * Key-reuse clusters (src/core/cluster-types.ts): a bipartite graph of endpoints (ip, port) and key
 * identities (spki_sha256 of a TLS leaf or an SSH host key), merged with union-find. Every
 * endpoint is joined to each key it presents, so endpoints that share any key, directly or through
 * a chain of keys (A–B share k1, B–C share k2), end in one component. A component with two or more
 * endpoints is a cluster; one key on one endpoint is not reuse.
 *
 * This avoids the faults of the earlier survey tool (sftcd/surveys, SameKeys.py): no pairwise
 * O(n²) comparison, no ad-hoc relabelling that split a component in two, every SSH host key rather
 * than the first, and one key identity for SSH and TLS, so a key used by both is found.
 *
 * Which records count: any record with a leaf certificate in `tls.chain`, whatever its status (a
 * failed implicit-TLS handshake keeps the chain and ends `closed-before-banner`: the server still
 * presented that key), and SSH host keys with an `spki_sha256` (null only for a key type we cannot
 * read, which has no identity to compare). An endpoint seen in several records is one node with
 * the union of their keys; its protocol is the first record's, its name the first one known.
 *
 * Memory is O(endpoints with keys + distinct keys + endpoint–key pairs): records are not kept, only
 * interned ip/protocol/name ids, ports and key indexes in typed arrays.
 */
import { parseIp } from "../core/cidr.js";
import type { Cluster, ClusterKey, ClusterMember } from "../core/cluster-types.js";
import { InputError } from "../core/errors.js";
import type { ScanRecord } from "../store/schema.js";
import { Interner, IntList } from "./int-list.js";
import { sshKeyKind, tlsKeyKind } from "./key-kind.js";
import type { KnownKeyIndex } from "./known-keys.js";
import { UnionFind } from "./union-find.js";

export interface ClusterOptions {
  /** keys known to ship inside software: `known` on each cluster key */
  known?: KnownKeyIndex;
}

const SPKI = /^[0-9a-f]{64}$/;
/** four decimal octets without leading zeros: the form parseIp gives back */
const DOTTED_QUAD = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const NONE = -1;

export class ClusterBuilder {
  private readonly forest = new UnionFind(1 << 16);
  private readonly strings = new Interner();

  // addresses: raw text → id; canonical text per id, and a PTR name per address (any record's)
  private readonly ipByText = new Map<string, number>();
  private readonly ipCanonical: string[] = [];
  private readonly ipPtr = new IntList();

  // endpoints: (ip id, port) → endpoint id
  private readonly endpointById = new Map<number, number>();
  private readonly endpointIp = new IntList();
  private readonly endpointPort = new IntList();
  private readonly endpointProtocol = new IntList();
  private readonly endpointGivenName = new IntList();
  private readonly endpointServerName = new IntList();
  private readonly endpointNode = new IntList();

  // keys: spki → key id
  private readonly keyBySpki = new Map<string, number>();
  private readonly keySpki: string[] = [];
  private readonly keyKind = new IntList();
  private readonly keyKnown = new IntList();
  private readonly keyNode = new IntList();

  // endpoint–key pairs, duplicates allowed (removed in build)
  private readonly pairEndpoint = new IntList(1 << 16);
  private readonly pairKey = new IntList(1 << 16);

  constructor(private readonly options: ClusterOptions = {}) {}

  /** Takes what clustering needs from one record; records without a key are ignored. */
  add(record: ScanRecord): void {
    const leaf = record.tls?.chain[0];
    const hostKeys = record.ssh?.host_keys ?? [];
    if (!leaf && !hostKeys.some((k) => k.spki_sha256)) return;

    const endpoint = this.endpoint(record);
    if (leaf) {
      const known =
        this.options.known?.bySpki.get(leaf.spki_sha256.toLowerCase()) ??
        this.options.known?.byCert.get(leaf.sha256.toLowerCase());
      this.present(endpoint, record, leaf.spki_sha256, tlsKeyKind(leaf.key_type, leaf.key_bits), known);
    }
    for (const key of hostKeys) {
      if (!key.spki_sha256) continue;
      const known = this.options.known?.bySpki.get(key.spki_sha256.toLowerCase());
      this.present(endpoint, record, key.spki_sha256, sshKeyKind(key.type, key.bits), known);
    }
    if (record.tls?.names) {
      const { ptr, server_name } = record.tls.names;
      const ip = this.endpointIp.get(endpoint);
      if (ptr && this.ipPtr.get(ip) === NONE) this.ipPtr.set(ip, this.strings.id(ptr));
      if (server_name && this.endpointServerName.get(endpoint) === NONE)
        this.endpointServerName.set(endpoint, this.strings.id(server_name));
    }
  }

  /** The clusters so far: components with two or more endpoints, largest first. */
  build(): Cluster[] {
    const endpoints = this.endpointNode.length;
    const nodes = this.forest.size;
    const rootOf = new Int32Array(endpoints);
    const endpointsInRoot = new Int32Array(nodes);
    for (let e = 0; e < endpoints; e++) {
      const root = this.forest.find(this.endpointNode.get(e));
      rootOf[e] = root;
      endpointsInRoot[root] = (endpointsInRoot[root] as number) + 1;
    }

    // cluster number per root, then each cluster's endpoints (a counting sort by cluster)
    const clusterOfRoot = new Int32Array(nodes).fill(NONE);
    const clusterStart: number[] = [0];
    for (let e = 0; e < endpoints; e++) {
      const root = rootOf[e] as number;
      if ((endpointsInRoot[root] as number) >= 2 && clusterOfRoot[root] === NONE) {
        clusterOfRoot[root] = clusterStart.length - 1;
        clusterStart.push((clusterStart.at(-1) as number) + (endpointsInRoot[root] as number));
      }
    }
    const clusters = clusterStart.length - 1;
    const fill = Int32Array.from(clusterStart.slice(0, clusters));
    const memberList = new Int32Array(clusterStart.at(-1) as number);
    for (let e = 0; e < endpoints; e++) {
      const c = clusterOfRoot[rootOf[e] as number] as number;
      if (c === NONE) continue;
      memberList[fill[c] as number] = e;
      fill[c] = (fill[c] as number) + 1;
    }

    const keysOf = this.keysByEndpoint(endpoints);
    const result: Cluster[] = [];
    const keyLocal = new Int32Array(this.keySpki.length).fill(NONE);
    for (let c = 0; c < clusters; c++) {
      const members = memberList.subarray(clusterStart[c] as number, clusterStart[c + 1] as number);
      result.push(this.cluster(members, keysOf, keyLocal));
    }
    disambiguateIds(result);
    result.sort((a, b) => b.size - a.size || compareText(a.id, b.id));
    return result;
  }

  private endpoint(record: ScanRecord): number {
    const ip = this.ip(record);
    const id = ip * 65536 + record.port;
    const known = this.endpointById.get(id);
    if (known !== undefined) {
      if (record.name && this.endpointGivenName.get(known) === NONE)
        this.endpointGivenName.set(known, this.strings.id(record.name));
      return known;
    }
    const endpoint = this.endpointIp.push(ip);
    this.endpointById.set(id, endpoint);
    this.endpointPort.push(record.port);
    this.endpointProtocol.push(this.strings.id(record.protocol));
    this.endpointGivenName.push(record.name ? this.strings.id(record.name) : NONE);
    this.endpointServerName.push(NONE);
    this.endpointNode.push(this.forest.add());
    return endpoint;
  }

  private ip(record: ScanRecord): number {
    const seen = this.ipByText.get(record.ip);
    if (seen !== undefined) return seen;
    // "::1" and "0:0::1" (or "::ffff:127.0.0.1" and "127.0.0.1") are one address; a plain
    // dotted quad is already canonical, and skipping the parser for it saves a third of add()
    let canonical = record.ip;
    if (!DOTTED_QUAD.test(record.ip)) {
      try {
        canonical = parseIp(record.ip).toString();
      } catch {
        throw new InputError(
          `record for port ${record.port}: ip ${JSON.stringify(record.ip)} is not an address`,
        );
      }
    }
    let id = this.ipByText.get(canonical);
    if (id === undefined) {
      id = this.ipCanonical.length;
      this.ipCanonical.push(canonical);
      this.ipPtr.push(NONE);
      this.ipByText.set(canonical, id);
    }
    this.ipByText.set(record.ip, id);
    return id;
  }

  private present(
    endpoint: number,
    record: ScanRecord,
    spkiText: string,
    kind: string,
    known: string | undefined,
  ): void {
    const spki = spkiText.toLowerCase();
    if (!SPKI.test(spki)) {
      throw new InputError(
        `record ${record.ip} port ${record.port}: spki_sha256 ${JSON.stringify(spkiText)} is not 64 hex digits`,
      );
    }
    let key = this.keyBySpki.get(spki);
    if (key === undefined) {
      key = this.keySpki.length;
      this.keySpki.push(spki);
      this.keyBySpki.set(spki, key);
      this.keyKind.push(this.strings.id(kind));
      this.keyKnown.push(NONE);
      this.keyNode.push(this.forest.add());
    }
    if (known !== undefined && this.keyKnown.get(key) === NONE)
      this.keyKnown.set(key, this.strings.id(known));
    this.forest.union(this.endpointNode.get(endpoint), this.keyNode.get(key));
    this.pairEndpoint.push(endpoint);
    this.pairKey.push(key);
  }

  /** Each endpoint's distinct keys, as offsets into one array (compressed sparse rows). */
  private keysByEndpoint(endpoints: number): { start: Int32Array; keys: Int32Array } {
    const pairEndpoint = this.pairEndpoint.view();
    const pairKey = this.pairKey.view();
    const start = new Int32Array(endpoints + 1);
    for (const e of pairEndpoint) start[e + 1] = (start[e + 1] as number) + 1;
    for (let e = 0; e < endpoints; e++) start[e + 1] = (start[e + 1] as number) + (start[e] as number);
    const fill = start.slice(0, endpoints);
    const keys = new Int32Array(pairKey.length);
    for (let p = 0; p < pairKey.length; p++) {
      const e = pairEndpoint[p] as number;
      keys[fill[e] as number] = pairKey[p] as number;
      fill[e] = (fill[e] as number) + 1;
    }
    return { start, keys };
  }

  private cluster(
    members: Int32Array,
    keysOf: { start: Int32Array; keys: Int32Array },
    keyLocal: Int32Array,
  ): Cluster {
    // the cluster's keys, each with the endpoints that present it (duplicate records count once)
    const clusterKeys: number[] = [];
    const presenters: Array<Set<number>> = [];
    const memberKeys = new Map<number, number[]>();
    for (const e of members) {
      const own = new Set<number>();
      for (let i = keysOf.start[e] as number; i < (keysOf.start[e + 1] as number); i++) {
        const k = keysOf.keys[i] as number;
        if (own.has(k)) continue;
        own.add(k);
        if (keyLocal[k] === NONE) {
          keyLocal[k] = clusterKeys.length;
          clusterKeys.push(k);
          presenters.push(new Set());
        }
        presenters[keyLocal[k] as number]?.add(e);
      }
      memberKeys.set(e, [...own]);
    }

    // keys: the most shared first, then by fingerprint
    const order = clusterKeys.map((_, i) => i);
    const count = (i: number) => (presenters[i] as Set<number>).size;
    const spkiOf = (i: number) => this.keySpki[clusterKeys[i] as number] as string;
    order.sort((a, b) => count(b) - count(a) || compareText(spkiOf(a), spkiOf(b)));
    const indexOfKey = new Map<number, number>();
    const keys: ClusterKey[] = order.map((i, index) => {
      const k = clusterKeys[i] as number;
      indexOfKey.set(k, index);
      const protocols = new Set<string>();
      for (const e of presenters[i] as Set<number>)
        protocols.add(this.strings.value(this.endpointProtocol.get(e)));
      const known = this.keyKnown.get(k);
      return {
        spki_sha256: this.keySpki[k] as string,
        kind: this.strings.value(this.keyKind.get(k)),
        protocols: [...protocols].sort(compareText),
        count: count(i),
        known: known === NONE ? null : this.strings.value(known),
      };
    });
    for (const k of clusterKeys) keyLocal[k] = NONE;

    const sorted = [...members].sort((a, b) => this.compareEndpoints(a, b));
    const hosts = new Set<number>();
    const clusterMembers: ClusterMember[] = sorted.map((e) => {
      const ip = this.endpointIp.get(e);
      hosts.add(ip);
      return {
        ip: this.ipCanonical[ip] as string,
        port: this.endpointPort.get(e),
        protocol: this.strings.value(this.endpointProtocol.get(e)),
        name: this.nameOf(e, ip),
        keys: (memberKeys.get(e) ?? []).map((k) => indexOfKey.get(k) as number).sort((a, b) => a - b),
      };
    });
    // the id comes from the smallest fingerprint (a string comparison: Math.min does not apply)
    let smallest = keys[0]?.spki_sha256 ?? "";
    for (const key of keys) if (key.spki_sha256 < smallest) smallest = key.spki_sha256;
    return {
      id: `k${smallest.slice(0, 12)}`,
      size: members.length,
      hosts: hosts.size,
      keys,
      members: clusterMembers,
    };
  }

  /** the name the target was given, else the address's PTR name, else what the server called itself */
  private nameOf(endpoint: number, ip: number): string | null {
    for (const id of [
      this.endpointGivenName.get(endpoint),
      this.ipPtr.get(ip),
      this.endpointServerName.get(endpoint),
    ]) {
      if (id !== NONE) return this.strings.value(id);
    }
    return null;
  }

  private readonly ipSortKeys = new Map<number, string>();

  /** by address (IPv4 before IPv6, numerically), then port */
  private compareEndpoints(a: number, b: number): number {
    const ka = this.ipSortKey(this.endpointIp.get(a));
    const kb = this.ipSortKey(this.endpointIp.get(b));
    return compareText(ka, kb) || this.endpointPort.get(a) - this.endpointPort.get(b);
  }

  /** "4" or "6" then the address bytes in hex: compares as the numbers do */
  private ipSortKey(ip: number): string {
    let key = this.ipSortKeys.get(ip);
    if (key === undefined) {
      const address = parseIp(this.ipCanonical[ip] as string);
      const hex = address
        .toByteArray()
        .map((byte) => byte.toString(16).padStart(2, "0"))
        .join("");
      key = `${address.kind() === "ipv4" ? "4" : "6"}${hex}`;
      this.ipSortKeys.set(ip, key);
    }
    return key;
  }
}

/** Clusters over a stream of records (readRecords(path), …). */
export async function clustersOf(
  records: AsyncIterable<ScanRecord> | Iterable<ScanRecord>,
  options: ClusterOptions = {},
): Promise<Cluster[]> {
  const builder = new ClusterBuilder(options);
  for await (const record of records) builder.add(record);
  return builder.build();
}

/** size → number of clusters of that size, smallest size first (for the report). */
export function clusterSizeDistribution(clusters: readonly Cluster[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const cluster of clusters) counts.set(cluster.size, (counts.get(cluster.size) ?? 0) + 1);
  return new Map([...counts].sort((a, b) => a[0] - b[0]));
}

/**
 * Two clusters whose smallest fingerprints share their first 12 hex digits (rare: a 48-bit prefix)
 * would get one id: those take the whole fingerprint instead, still stable for the same input.
 */
function disambiguateIds(clusters: Cluster[]): void {
  const byId = new Map<string, Cluster[]>();
  for (const cluster of clusters) {
    const same = byId.get(cluster.id);
    if (same) same.push(cluster);
    else byId.set(cluster.id, [cluster]);
  }
  for (const same of byId.values()) {
    if (same.length < 2) continue;
    for (const cluster of same) {
      const smallest = cluster.keys.map((k) => k.spki_sha256).sort(compareText)[0] as string;
      cluster.id = `k${smallest}`;
    }
  }
}

/** code-unit order, locale-independent (localeCompare would vary with the machine) */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
