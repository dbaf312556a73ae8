/**
 * Synthetic scan records with planted key-reuse clusters, for bench/analysis-bench.ts. Records are
 * yielded one at a time (nothing holds a million of them), deterministic for the same arguments.
 *
 * A planted cluster of m endpoints on ⌈m/2⌉ addresses uses j shared keys (1 to 8) in a chain: every
 * fourth endpoint is SSH (port 22) with its own Ed25519 key besides a shared RSA key, the first j−1
 * of those also carry the next shared key, which links K0–K1–…–K(j−1); the others are TLS on 25,
 * 443, 465, 587 or 993 with one shared key. Bridges come last in the stream, so the chain closes
 * late. Everything else is a singleton (a TLS or SSH key of its own, or no key at all); some of
 * those sit on a planted cluster's address on port 2525, which must not join the cluster.
 * Addresses are data only: nothing here connects anywhere.
 */
import { createWriteStream } from "node:fs";
import { blankRecord, type ScanRecord } from "../src/store/schema.js";

export interface PlantedCluster {
  /** index of the first address (ipOf) */
  firstAddress: number;
  size: number;
  hosts: number;
  sharedKeys: number;
  ipv6: boolean;
}

export interface SyntheticPlan {
  records: number;
  clusters: PlantedCluster[];
  /** records that belong to planted clusters */
  clustered: number;
}

/** size → how many planted clusters of that size (largest 10,000) */
const CLUSTER_SIZES: Array<[number, number]> = [
  [10_000, 1],
  [5_000, 2],
  [1_000, 5],
  [500, 20],
  [100, 100],
  [10, 1_000],
  [3, 10_000],
  [2, 30_000],
];

export function plan(records: number): SyntheticPlan {
  const clusters: PlantedCluster[] = [];
  let address = 0;
  let clustered = 0;
  // scale the plan down for small runs: drop the largest sizes until the members fit in half
  const sizes = CLUSTER_SIZES.filter(([size, count]) => size * count <= records / 4);
  for (const [size, count] of sizes) {
    for (let i = 0; i < count; i++) {
      const hosts = Math.ceil(size / 2);
      const sharedKeys = Math.min(8, Math.floor(size / 8) + 1);
      clusters.push({ firstAddress: address, size, hosts, sharedKeys, ipv6: clusters.length % 10 === 9 });
      address += hosts;
      clustered += size;
    }
  }
  return { records, clusters, clustered };
}

/** the planted cluster's keys: shared ones, plus one Ed25519 key per SSH endpoint */
export function plantedKeyCount(cluster: PlantedCluster): number {
  return cluster.sharedKeys + Math.ceil(cluster.size / 4);
}

const V4_BASE = 0x0b000000; // 11.0.0.0: documentation-free space is too small for a million

/** the address with index n: IPv4 from 11.0.0.0, or 2001:db8::/32 for IPv6 clusters */
export function ipOf(n: number, ipv6: boolean): string {
  if (ipv6) return `2001:db8::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  const v = V4_BASE + n;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** inverse of ipOf for the canonical forms ClusterBuilder writes */
export function addressIndex(ip: string): number {
  if (ip.includes(":")) {
    const tail = ip.slice("2001:db8::".length).split(":");
    const [high, low] = tail.length === 2 ? tail : ["0", tail[0]];
    return Number.parseInt(high ?? "0", 16) * 65536 + Number.parseInt(low ?? "0", 16);
  }
  const [a, b, c, d] = ip.split(".").map(Number) as [number, number, number, number];
  return a * 2 ** 24 + b * 2 ** 16 + c * 2 ** 8 + d - V4_BASE;
}

/** 64 hex digits that look random (a cheap integer mix, not a hash) from a key number; distinct n, distinct digits */
export function keyHex(n: number): string {
  const word = (x: number) => {
    let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0).toString(16).padStart(8, "0");
  };
  // the mix is a bijection on 32 bits, so the first word alone keeps keys apart
  const head = `${word(n)}${word(n ^ 0x5bd1e995)}`;
  return `${head}${head}${head}${head}`;
}

/** a small deterministic PRNG (mulberry32) */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TLS_PORTS: Array<[number, string]> = [
  [443, "https"],
  [465, "smtps"],
  [587, "smtp"],
  [993, "imaps"],
];

function baseRecord(ip: string, port: number, protocol: string): ScanRecord {
  return blankRecord({
    ip,
    port,
    protocol,
    status: "ok",
    started_at: "2026-01-01T00:00:00.000Z",
    duration_ms: 100,
  });
}

function withTls(record: ScanRecord, spki: string): ScanRecord {
  record.tls = {
    implicit: record.port !== 25 && record.port !== 587,
    version: "TLSv1.3",
    cipher: "TLS_AES_256_GCM_SHA384",
    error: null,
    chain: [
      {
        der: "",
        sha256: spki, // the certificate hash plays no part in clustering
        spki_sha256: spki,
        subject: "CN=mx",
        issuer: "CN=mx",
        san: [],
        not_before: "2026-01-01T00:00:00.000Z",
        not_after: "2027-01-01T00:00:00.000Z",
        serial: "01",
        key_type: "rsa",
        key_bits: 2048,
        self_signed: true,
      },
    ],
    names: null,
  };
  return record;
}

function withSsh(record: ScanRecord, keys: Array<{ spki: string; type: string; bits: number }>): ScanRecord {
  record.ssh = {
    banner: "SSH-2.0-OpenSSH_9.2p1",
    kex: null,
    errors: [],
    host_keys: keys.map((k) => ({
      type: k.type,
      algorithm: k.type === "ssh-rsa" ? "rsa-sha2-512" : k.type,
      bits: k.bits,
      fingerprint_sha256: "SHA256:x",
      spki_sha256: k.spki,
      blob: "",
    })),
  };
  return record;
}

/**
 * The records, in a shuffled-looking order: each record is a cluster member with probability
 * (members left / records left), from a cluster picked in proportion to its size.
 */
export function* syntheticRecords(p: SyntheticPlan, seed = 1): Generator<ScanRecord> {
  const rand = random(seed);
  // per cluster: next member to emit, in the order non-bridges first, bridges last
  const next = new Int32Array(p.clusters.length);
  const keyBase: number[] = [];
  let keyCounter = 0;
  for (const c of p.clusters) {
    keyBase.push(keyCounter);
    keyCounter += c.sharedKeys;
  }
  let uniqueKey = keyCounter;
  // clusters are picked in proportion to their size, so every cluster's members spread over the stream
  const cumulative = new Float64Array(p.clusters.length);
  let total = 0;
  p.clusters.forEach((c, i) => {
    total += c.size;
    cumulative[i] = total;
  });
  let firstOpen = 0;
  const pick = (): number => {
    for (let tries = 0; tries < 32; tries++) {
      const u = rand() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cumulative[mid] as number) > u) hi = mid;
        else lo = mid + 1;
      }
      if ((next[lo] as number) < (p.clusters[lo] as PlantedCluster).size) return lo;
    }
    // near the end most clusters are done: take the first that is not (done is done for good)
    while ((next[firstOpen] as number) >= (p.clusters[firstOpen] as PlantedCluster).size) firstOpen += 1;
    return firstOpen;
  };
  let membersLeft = p.clustered;
  const firstSingletonAddress =
    p.clusters.length === 0 ? 0 : (p.clusters.at(-1)?.firstAddress ?? 0) + (p.clusters.at(-1)?.hosts ?? 0);
  let singleton = 0;

  for (let r = 0; r < p.records; r++) {
    const recordsLeft = p.records - r;
    if (membersLeft > 0 && (membersLeft >= recordsLeft || rand() * recordsLeft < membersLeft)) {
      const ci = pick();
      const c = p.clusters[ci] as PlantedCluster;
      const emitted = next[ci] as number;
      next[ci] = emitted + 1;
      // bridges are members 0, 4, …, 4(j−2): emit the others first
      const bridges = c.sharedKeys - 1;
      const nonBridges = c.size - bridges;
      let member: number;
      if (emitted >= nonBridges) member = 4 * (emitted - nonBridges);
      // below 4·bridges every fourth member is a bridge: 1, 2, 3, 5, 6, 7, …
      else if (emitted < 3 * bridges) member = emitted + Math.floor(emitted / 3) + 1;
      else member = emitted + bridges;
      membersLeft -= 1;
      yield memberRecord(c, keyBase[ci] as number, member, () => uniqueKey++);
    } else {
      singleton += 1;
      yield singletonRecord(p, firstSingletonAddress, singleton, () => uniqueKey++);
    }
  }
}

function memberRecord(c: PlantedCluster, keyBase: number, member: number, fresh: () => number): ScanRecord {
  const ip = ipOf(c.firstAddress + Math.floor(member / 2), c.ipv6);
  const shared = (t: number) => keyHex(keyBase + (t % c.sharedKeys));
  if (member % 4 === 0) {
    const t = member / 4;
    // a bridge carries two neighbouring shared keys, which chains them
    const keys =
      t < c.sharedKeys - 1
        ? [
            { spki: shared(t), type: "ssh-rsa", bits: 3072 },
            { spki: shared(t + 1), type: "ssh-rsa", bits: 3072 },
          ]
        : [{ spki: shared(member), type: "ssh-rsa", bits: 3072 }];
    keys.push({ spki: keyHex(fresh()), type: "ssh-ed25519", bits: 256 });
    return withSsh(baseRecord(ip, 22, "ssh"), keys);
  }
  const [port, protocol] =
    member % 2 === 0 ? [25, "smtp"] : (TLS_PORTS[(member >> 1) % 4] as [number, string]);
  return withTls(baseRecord(ip, port, protocol), shared(member));
}

function singletonRecord(p: SyntheticPlan, firstAddress: number, n: number, fresh: () => number): ScanRecord {
  if (n % 50 === 0 && p.clusters.length > 0) {
    // on a planted cluster's address, another port, a key of its own: must stay out of the cluster
    const c = p.clusters[n % p.clusters.length] as PlantedCluster;
    return withTls(baseRecord(ipOf(c.firstAddress, c.ipv6), 2525, "smtp"), keyHex(fresh()));
  }
  const record = baseRecord(
    ipOf(firstAddress + n, false),
    n % 3 === 0 ? 22 : 25,
    n % 3 === 0 ? "ssh" : "smtp",
  );
  if (n % 10 === 1) return record; // no TLS, no SSH: not a node at all
  if (record.port === 22) {
    return withSsh(record, [
      { spki: keyHex(fresh()), type: "ssh-ed25519", bits: 256 },
      { spki: keyHex(fresh()), type: "ecdsa-sha2-nistp256", bits: 256 },
    ]);
  }
  return withTls(record, keyHex(fresh()));
}

/** Writes records as JSON Lines in batches, honouring back-pressure; returns how many. */
export async function writeJsonl(path: string, records: Iterable<ScanRecord>): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (!out.write(`${batch.join("\n")}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
    batch = [];
  };
  for (const record of records) {
    batch.push(JSON.stringify(record));
    n += 1;
    if (batch.length === 1000) await flush();
  }
  if (batch.length > 0) await flush();
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return n;
}
