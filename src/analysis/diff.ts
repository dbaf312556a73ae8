/**
 * What changed between two runs over the same targets: endpoints new and gone, status changes
 * (with their from → to counts), software product and version changes, and key changes (the TLS
 * leaf's key, or the set of SSH host keys). Run A is held as one small snapshot per endpoint;
 * run B streams past it. Memory is O(endpoints of A + endpoints new in B), never the records.
 *
 * Each endpoint is taken by its first record in either run. A product or version only counts as
 * changed when both runs identified one (a run without identification is not a change), and
 * keys only when both runs saw at least one key.
 */
import type { ScanRecord } from "../store/schema.js";
import { canonicalAddress } from "./address-ids.js";
import { bump } from "./counts.js";
import { knownSoftware } from "./record-facts.js";

export interface EndpointChange {
  ip: string;
  port: number;
  protocol: string;
  /** the value in run A (null for a new endpoint) */
  before: string | null;
  /** the value in run B (null for a gone endpoint) */
  after: string | null;
}

export interface ChangeList {
  count: number;
  /** the first `examples` changes, in the order they were found */
  examples: EndpointChange[];
}

export interface RunDiff {
  endpointsA: number;
  endpointsB: number;
  /** in both runs, with the same status, product, version and keys */
  unchanged: number;
  new: ChangeList;
  gone: ChangeList;
  statusChanged: ChangeList & { transitions: Array<{ from: string; to: string; count: number }> };
  productChanged: ChangeList;
  versionChanged: ChangeList;
  keysChanged: ChangeList;
}

export interface DiffOptions {
  /** examples kept per kind of change (default 100) */
  examples?: number;
}

interface Snapshot {
  protocol: string;
  status: string;
  product: string | null;
  version: string | null;
  /** "tls:<spki>" and "ssh:<spki>…" joined, sorted; "" without keys */
  keys: string;
  /** seen in run B already (or only in run B) */
  matched: boolean;
}

function snapshot(record: ScanRecord): Snapshot {
  const software = knownSoftware(record);
  const keys: string[] = [];
  const leaf = record.tls?.chain[0];
  if (leaf) keys.push(`tls:${leaf.spki_sha256.toLowerCase()}`);
  for (const key of record.ssh?.host_keys ?? [])
    if (key.spki_sha256) keys.push(`ssh:${key.spki_sha256.toLowerCase()}`);
  return {
    protocol: record.protocol,
    status: record.status,
    product: software?.product ?? null,
    version: software ? (software.version ?? software.version_range) : null,
    keys: [...new Set(keys)].sort().join(" "),
    matched: false,
  };
}

/** keys as short fingerprints for reading: "tls:f3b5513923a9 ssh:1c2d…" */
function shortKeys(keys: string): string {
  return keys
    .split(" ")
    .map((key) => key.slice(0, 16))
    .join(" ");
}

class Changes implements ChangeList {
  count = 0;
  examples: EndpointChange[] = [];
  constructor(private readonly limit: number) {}

  note(change: EndpointChange): void {
    this.count += 1;
    if (this.examples.length < this.limit) this.examples.push(change);
  }

  toJSON(): ChangeList {
    return { count: this.count, examples: this.examples };
  }
}

export async function diffRuns(
  recordsA: AsyncIterable<ScanRecord> | Iterable<ScanRecord>,
  recordsB: AsyncIterable<ScanRecord> | Iterable<ScanRecord>,
  options: DiffOptions = {},
): Promise<RunDiff> {
  const limit = options.examples ?? 100;
  const endpoints = new Map<string, Snapshot>();
  const keyOf = (record: ScanRecord, run: string) =>
    `${canonicalAddress(record.ip, `run ${run}: record for port ${record.port}`)} ${record.port}`;

  for await (const record of recordsA) {
    const key = keyOf(record, "A");
    if (!endpoints.has(key)) endpoints.set(key, snapshot(record));
  }
  const endpointsA = endpoints.size;

  let endpointsB = 0;
  let unchanged = 0;
  const added = new Changes(limit);
  const gone = new Changes(limit);
  const statusChanged = new Changes(limit);
  const productChanged = new Changes(limit);
  const versionChanged = new Changes(limit);
  const keysChanged = new Changes(limit);
  const transitions = new Map<string, number>();

  for await (const record of recordsB) {
    const key = keyOf(record, "B");
    const before = endpoints.get(key);
    if (before?.matched) continue;
    endpointsB += 1;
    const after = snapshot(record);
    const at = { ip: key.slice(0, key.lastIndexOf(" ")), port: record.port, protocol: record.protocol };
    if (!before) {
      after.matched = true;
      endpoints.set(key, after);
      added.note({ ...at, before: null, after: after.status });
      continue;
    }
    before.matched = true;
    let changed = false;
    if (before.status !== after.status) {
      changed = true;
      statusChanged.note({ ...at, before: before.status, after: after.status });
      bump(transitions, `${before.status}\u0000${after.status}`);
    }
    if (before.product !== null && after.product !== null && before.product !== after.product) {
      changed = true;
      productChanged.note({ ...at, before: before.product, after: after.product });
    } else if (
      before.product !== null &&
      before.product === after.product &&
      before.version !== null &&
      after.version !== null &&
      before.version !== after.version
    ) {
      changed = true;
      versionChanged.note({
        ...at,
        before: `${before.product} ${before.version}`,
        after: `${after.product} ${after.version}`,
      });
    }
    if (before.keys !== "" && after.keys !== "" && before.keys !== after.keys) {
      changed = true;
      keysChanged.note({ ...at, before: shortKeys(before.keys), after: shortKeys(after.keys) });
    }
    if (!changed) unchanged += 1;
    // the snapshot's details are no longer needed: keep only that it was matched
    before.keys = "";
  }

  for (const [key, snap] of endpoints) {
    if (snap.matched) continue;
    const space = key.lastIndexOf(" ");
    gone.note({
      ip: key.slice(0, space),
      port: Number(key.slice(space + 1)),
      protocol: snap.protocol,
      before: snap.status,
      after: null,
    });
  }

  return {
    endpointsA,
    endpointsB,
    unchanged,
    new: added.toJSON(),
    gone: gone.toJSON(),
    statusChanged: {
      ...statusChanged.toJSON(),
      transitions: [...transitions]
        .map(([pair, count]) => {
          const [from = "", to = ""] = pair.split("\u0000");
          return { from, to, count };
        })
        .sort((x, y) => y.count - x.count || (x.from + x.to < y.from + y.to ? -1 : 1)),
    },
    productChanged: productChanged.toJSON(),
    versionChanged: versionChanged.toJSON(),
    keysChanged: keysChanged.toJSON(),
  };
}

/** A plain-text summary for the terminal: the counts, the commonest status changes, a few examples each. */
export function diffText(diff: RunDiff, examplesPerKind = 5): string {
  const n = (value: number) => value.toLocaleString("en");
  const lines = [
    `run A: ${n(diff.endpointsA)} endpoints; run B: ${n(diff.endpointsB)} endpoints; unchanged: ${n(diff.unchanged)}`,
  ];
  const kinds: Array<[string, ChangeList]> = [
    ["new endpoints", diff.new],
    ["gone endpoints", diff.gone],
    ["status changed", diff.statusChanged],
    ["product changed", diff.productChanged],
    ["version changed", diff.versionChanged],
    ["keys changed", diff.keysChanged],
  ];
  for (const [title, list] of kinds) {
    lines.push(`${title}: ${n(list.count)}`);
    if (list === diff.statusChanged) {
      for (const t of diff.statusChanged.transitions.slice(0, 10))
        lines.push(`  ${t.from} -> ${t.to}: ${n(t.count)}`);
    }
    for (const e of list.examples.slice(0, examplesPerKind)) {
      const where = e.ip.includes(":") ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
      lines.push(`    e.g. ${where} ${e.protocol}: ${e.before ?? "-"} -> ${e.after ?? "-"}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
