/**
 * What the run diff keeps of one endpoint: its status, identified software and keys, small
 * enough to hold one per endpoint of run A while run B streams past.
 */
import type { ScanRecord } from "../store/schema.js";
import { canonicalAddress } from "./address-ids.js";
import { knownSoftware } from "./record-facts.js";

export interface Snapshot {
  protocol: string;
  status: string;
  product: string | null;
  version: string | null;
  /** "tls:<spki>" and "ssh:<spki>…" joined, sorted; "" without keys */
  keys: string;
  /** seen in run B already (or only in run B) */
  matched: boolean;
}

export function snapshot(record: ScanRecord): Snapshot {
  const software = knownSoftware(record);
  return {
    protocol: record.protocol,
    status: record.status,
    product: software?.product ?? null,
    version: software ? (software.version ?? software.version_range) : null,
    keys: keysOf(record),
    matched: false,
  };
}

/** The TLS leaf's key and every SSH host key, each once, sorted, so their order does not matter. */
function keysOf(record: ScanRecord): string {
  const keys: string[] = [];
  const leaf = record.tls?.chain[0];
  if (leaf) keys.push(`tls:${leaf.spki_sha256.toLowerCase()}`);
  for (const key of record.ssh?.host_keys ?? [])
    if (key.spki_sha256) keys.push(`ssh:${key.spki_sha256.toLowerCase()}`);
  return [...new Set(keys)].sort().join(" ");
}

/** "<canonical address> <port>": one endpoint however its address was written; `run` names it in errors. */
export function endpointKey(record: ScanRecord, run: "A" | "B"): string {
  return `${canonicalAddress(record.ip, `run ${run}: record for port ${record.port}`)} ${record.port}`;
}

export function endpointOfKey(key: string): { ip: string; port: number } {
  const space = key.lastIndexOf(" ");
  return { ip: key.slice(0, space), port: Number(key.slice(space + 1)) };
}
