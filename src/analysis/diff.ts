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
import { type ChangeList, type Changes, RunChanges, type StatusTransition } from "./diff-changes.js";
import { endpointKey, endpointOfKey, type Snapshot, snapshot } from "./diff-snapshot.js";

export type { ChangeList, EndpointChange } from "./diff-changes.js";

export interface RunDiff {
  endpointsA: number;
  endpointsB: number;
  /** in both runs, with the same status, product, version and keys */
  unchanged: number;
  new: ChangeList;
  gone: ChangeList;
  statusChanged: ChangeList & { transitions: StatusTransition[] };
  productChanged: ChangeList;
  versionChanged: ChangeList;
  keysChanged: ChangeList;
}

export interface DiffOptions {
  /** examples kept per kind of change (default 100) */
  examples?: number;
}

type Records = AsyncIterable<ScanRecord> | Iterable<ScanRecord>;

export async function diffRuns(
  recordsA: Records,
  recordsB: Records,
  options: DiffOptions = {},
): Promise<RunDiff> {
  const endpoints = await snapshotRun(recordsA);
  const endpointsA = endpoints.size;
  const changes = new RunChanges(options.examples ?? 100);
  const { endpointsB, unchanged } = await compareRun(recordsB, endpoints, changes);
  noteGone(endpoints, changes.gone);
  return {
    endpointsA,
    endpointsB,
    unchanged,
    new: changes.added.toJSON(),
    gone: changes.gone.toJSON(),
    statusChanged: { ...changes.status.toJSON(), transitions: changes.statusTransitions() },
    productChanged: changes.product.toJSON(),
    versionChanged: changes.version.toJSON(),
    keysChanged: changes.keys.toJSON(),
  };
}

/** Run A as one snapshot per endpoint, taken from its first record. */
async function snapshotRun(records: Records): Promise<Map<string, Snapshot>> {
  const endpoints = new Map<string, Snapshot>();
  for await (const record of records) {
    const key = endpointKey(record, "A");
    if (!endpoints.has(key)) endpoints.set(key, snapshot(record));
  }
  return endpoints;
}

/**
 * Run B against run A's snapshots, endpoint by endpoint (its first record): new endpoints join
 * the map, matched ones are marked so whatever is left unmarked is gone.
 */
async function compareRun(
  records: Records,
  endpoints: Map<string, Snapshot>,
  changes: RunChanges,
): Promise<{ endpointsB: number; unchanged: number }> {
  let endpointsB = 0;
  let unchanged = 0;
  for await (const record of records) {
    const key = endpointKey(record, "B");
    const before = endpoints.get(key);
    if (before?.matched) continue;
    endpointsB += 1;
    const after = snapshot(record);
    const at = { ip: endpointOfKey(key).ip, port: record.port, protocol: record.protocol };
    if (!before) {
      after.matched = true;
      endpoints.set(key, after);
      changes.added.note({ ...at, before: null, after: after.status });
      continue;
    }
    before.matched = true;
    if (!changes.compare(at, before, after)) unchanged += 1;
    // the snapshot's details are no longer needed: keep only that it was matched
    before.keys = "";
  }
  return { endpointsB, unchanged };
}

/** Every endpoint of run A that run B never matched. */
function noteGone(endpoints: Map<string, Snapshot>, gone: Changes): void {
  for (const [key, snap] of endpoints) {
    if (snap.matched) continue;
    gone.note({ ...endpointOfKey(key), protocol: snap.protocol, before: snap.status, after: null });
  }
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
