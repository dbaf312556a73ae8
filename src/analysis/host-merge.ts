/**
 * Which addresses are one host: two addresses merge when they present a common key (TLS leaf or
 * SSH host key identity, on any of their ports) AND announce a common name. The key alone is not
 * enough (a provider's wildcard certificate or a vendor's default key sits on many distinct
 * hosts), and the name alone is not either (a default EHLO name repeats across installs).
 * Bernstein's 2000 survey counted one multihomed host with 6,494 names as 99 of 101 "CheckPoint"
 * results: counting hosts, not addresses, keeps a multihomed box from weighing many times.
 *
 * Pairs (address, key) and (address, name) are kept as ints; `merge` groups them per address
 * (compressed rows, as in clusters.ts) and joins addresses through each (key, name) they share.
 */
import { IntList } from "./int-list.js";
import { UnionFind } from "./union-find.js";

export class HostMerger {
  private readonly keyAddress = new IntList(1 << 16);
  private readonly keyId = new IntList(1 << 16);
  private readonly nameAddress = new IntList(1 << 16);
  private readonly nameId = new IntList(1 << 16);
  private names = 0;

  addKey(address: number, key: number): void {
    this.keyAddress.push(address);
    this.keyId.push(key);
  }

  addName(address: number, name: number): void {
    this.nameAddress.push(address);
    this.nameId.push(name);
    if (name >= this.names) this.names = name + 1;
  }

  /** A forest over address ids 0..addresses−1 in which merged addresses share a root. */
  merge(addresses: number): UnionFind {
    const forest = new UnionFind(Math.max(1, addresses));
    for (let a = 0; a < addresses; a++) forest.add();
    const keys = rowsByAddress(this.keyAddress.view(), this.keyId.view(), addresses);
    const names = rowsByAddress(this.nameAddress.view(), this.nameId.view(), addresses);
    // (key, name) → the first address seen with it; key × names + name stays well under 2^53
    const firstWith = new Map<number, number>();
    for (let a = 0; a < addresses; a++) {
      const nameStart = names.start[a] as number;
      const nameEnd = names.start[a + 1] as number;
      if (nameStart === nameEnd) continue;
      for (let i = keys.start[a] as number; i < (keys.start[a + 1] as number); i++) {
        const key = keys.values[i] as number;
        for (let j = nameStart; j < nameEnd; j++) {
          const pair = key * this.names + (names.values[j] as number);
          const first = firstWith.get(pair);
          if (first === undefined) firstWith.set(pair, a);
          else forest.union(first, a);
        }
      }
    }
    return forest;
  }
}

/** Each address's values as offsets into one array; duplicates within an address are dropped. */
function rowsByAddress(
  owners: Int32Array,
  values: Int32Array,
  addresses: number,
): { start: Int32Array; values: Int32Array } {
  const start = new Int32Array(addresses + 1);
  for (const owner of owners) start[owner + 1] = (start[owner + 1] as number) + 1;
  for (let a = 0; a < addresses; a++) start[a + 1] = (start[a + 1] as number) + (start[a] as number);
  const fill = start.slice(0, addresses);
  const sorted = new Int32Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const owner = owners[p] as number;
    sorted[fill[owner] as number] = values[p] as number;
    fill[owner] = (fill[owner] as number) + 1;
  }
  // drop repeats inside each row (an address's keys repeat across its ports)
  const compact = new Int32Array(values.length);
  const compactStart = new Int32Array(addresses + 1);
  let out = 0;
  for (let a = 0; a < addresses; a++) {
    compactStart[a] = out;
    const row = sorted.subarray(start[a] as number, start[a + 1] as number).sort();
    for (let i = 0; i < row.length; i++) {
      if (i > 0 && row[i] === row[i - 1]) continue;
      compact[out] = row[i] as number;
      out += 1;
    }
  }
  compactStart[addresses] = out;
  return { start: compactStart, values: compact };
}
