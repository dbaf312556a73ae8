/**
 * clusters.jsonl: one Cluster a line, fields in the contract's order (src/core/cluster-types.ts) whatever
 * order the objects were built in, so the file is byte-for-byte the same for the same clusters.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Cluster } from "../core/cluster-types.js";

/** one line, without its newline */
export function clusterLine(cluster: Cluster): string {
  return JSON.stringify({
    id: cluster.id,
    size: cluster.size,
    hosts: cluster.hosts,
    keys: cluster.keys.map((k) => ({
      spki_sha256: k.spki_sha256,
      kind: k.kind,
      protocols: k.protocols,
      count: k.count,
      known: k.known,
    })),
    members: cluster.members.map((m) => ({
      ip: m.ip,
      port: m.port,
      protocol: m.protocol,
      name: m.name,
      keys: m.keys,
    })),
  });
}

/** Writes (replaces) `path`; lines go out in batches so a huge cluster list is never one string. */
export function writeClustersJsonl(path: string, clusters: Iterable<Cluster>): number {
  const fd = openSync(path, "w");
  let written = 0;
  try {
    let batch: string[] = [];
    let batchChars = 0;
    for (const cluster of clusters) {
      const line = clusterLine(cluster);
      batch.push(line);
      batchChars += line.length;
      written += 1;
      if (batchChars >= 1 << 20) {
        writeSync(fd, `${batch.join("\n")}\n`);
        batch = [];
        batchChars = 0;
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
  return written;
}
