/**
 * Address ranges under a label (a country code, an AS number): which label an address falls
 * under, so targets drawn from --country or --asn can carry where they came from.
 */
import type { AddressRange } from "../core/target.js";
import { parseAddressValue } from "./address-value.js";
import { RangeSet } from "./range-set.js";

export class RangeLabels<K> {
  /** per label, its IPv4 and its IPv6 ranges */
  private readonly sets = new Map<K, [RangeSet, RangeSet]>();

  get size(): number {
    return this.sets.size;
  }

  add(label: K, range: AddressRange): void {
    let sets = this.sets.get(label);
    if (!sets) {
      sets = [new RangeSet(4), new RangeSet(6)];
      this.sets.set(label, sets);
    }
    sets[range.family === 4 ? 0 : 1].add(range);
  }

  /** Every label with its ranges, in the order labels were added (what `add` rebuilds it from). */
  entries(): Array<[K, AddressRange[]]> {
    return [...this.sets].map(([label, [v4, v6]]) => [label, [...v4.ranges(), ...v6.ranges()]]);
  }

  /** The first label (in the order labels were added) whose ranges hold the address. */
  labelOf(ip: string): K | undefined {
    // empty: no need to parse the address at all
    if (this.sets.size === 0) return undefined;
    const { family, value } = parseAddressValue(ip);
    for (const [label, [v4, v6]] of this.sets) {
      if (family === 4 ? v4.containsNumber(Number(value)) : v6.contains(value)) return label;
    }
    return undefined;
  }
}
