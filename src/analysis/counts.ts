/** Counting helpers shared by the tallies: a plain counter, and a bounded one for open-ended text. */
import type { CountRow } from "./tally-types.js";

/** Adds `by` to `key`'s count. */
export function bump<K>(counts: Map<K, number>, key: K, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** Rows most frequent first (ties by value, so output is stable), shares of `total`. */
export function countRows(counts: Iterable<[string, number]>, total: number, limit?: number): CountRow[] {
  const rows = [...counts]
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([value, count]) => ({ value, count, share: total > 0 ? count / total : 0 }));
  return limit === undefined ? rows : rows.slice(0, limit);
}

/**
 * The most frequent values of an open-ended stream (error texts) in bounded memory: the
 * Space-Saving algorithm (Metwally, Agrawal, El Abbadi 2005). Up to `capacity` values are counted;
 * a new value past that replaces the least counted one and inherits its count plus one, so every
 * value seen more than total/capacity times is kept, and a kept count is high by at most the
 * smallest count at the time it came in (`slack`).
 */
export class HeavyHitters {
  private readonly counts = new Map<string, number>();
  private replacedFloor = 0;

  constructor(private readonly capacity = 200) {}

  add(value: string): void {
    const known = this.counts.get(value);
    if (known !== undefined) {
      this.counts.set(value, known + 1);
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(value, 1);
      return;
    }
    // a linear scan: only reached for new values past capacity, and capacity is small
    let victim = "";
    let least = Number.POSITIVE_INFINITY;
    for (const [candidate, count] of this.counts) {
      if (count < least) {
        least = count;
        victim = candidate;
      }
    }
    this.counts.delete(victim);
    this.counts.set(value, least + 1);
    this.replacedFloor = Math.max(this.replacedFloor, least);
  }

  /** the largest overcount of any kept value (0 while nothing was ever evicted) */
  get slack(): number {
    return this.replacedFloor;
  }

  entries(): Array<[string, number]> {
    return [...this.counts];
  }
}
