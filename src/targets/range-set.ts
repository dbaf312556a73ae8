/**
 * A set of addresses of one family, kept as sorted, merged, non-overlapping ranges: memory grows
 * with the number of ranges, never with the number of addresses (IPv6 /0 is one range).
 *
 * Adding is cheap and lazy: `add` only appends to a pending list; the first query after an add
 * (or `freeze()`) sorts and merges everything once. Merging sorts range starts and range ends as
 * two independent arrays and sweeps them like events (a start opens, an end closes): the union
 * of intervals does not depend on which start belongs to which end, so IPv4 starts and ends go
 * into Float64Arrays and use the engine's native numeric sort (a million unsorted /32s: about
 * 1 s, adds included). Adding after a query is allowed; the next query merges again.
 *
 * IPv4 sets are stored as Float64Arrays (every IPv4 value and count is exact in a double) so
 * sampling can stay in Numbers; IPv6 sets as bigint arrays. The public API speaks bigint; the
 * `...Number` methods are the IPv4 fast path.
 *
 * `subtract` and `intersect` return new sets and leave both operands alone.
 */

import { type Cidr, parseCidr } from "../core/cidr.js";
import type { AddressRange } from "../core/target.js";
import { cidrRange, formatAddress, formatV4, parseAddressValue } from "./address-value.js";

const MAX: Record<4 | 6, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

interface V4Store {
  firsts: Float64Array;
  lasts: Float64Array;
  /** cumulative[i]: how many addresses ranges 0..i hold together */
  cumulative: Float64Array;
}

interface V6Store {
  firsts: bigint[];
  lasts: bigint[];
  cumulative: bigint[];
}

export class RangeSet {
  readonly family: 4 | 6;
  private v4: V4Store = {
    firsts: new Float64Array(0),
    lasts: new Float64Array(0),
    cumulative: new Float64Array(0),
  };
  private v6: V6Store = { firsts: [], lasts: [], cumulative: [] };
  /** IPv4 ranges added since the last merge, as starts and exclusive ends */
  private pendingStarts4: number[] = [];
  private pendingEnds4: number[] = [];
  private pendingStarts6: bigint[] = [];
  private pendingEnds6: bigint[] = [];

  constructor(family: 4 | 6) {
    this.family = family;
  }

  static fromCidrs(family: 4 | 6, cidrs: Iterable<Cidr | string>): RangeSet {
    const set = new RangeSet(family);
    for (const cidr of cidrs) set.addCidr(cidr);
    return set.freeze();
  }

  /** Adds a range of this set's family (RangeError otherwise: mixing families is a bug). */
  add(range: AddressRange): this {
    if (range.family !== this.family) {
      throw new RangeError(`an IPv${range.family} range added to an IPv${this.family} set`);
    }
    if (range.first < 0n || range.last > MAX[this.family] || range.first > range.last) {
      throw new RangeError(`not a valid IPv${this.family} range: ${range.first}..${range.last}`);
    }
    if (this.family === 4) {
      this.pendingStarts4.push(Number(range.first));
      this.pendingEnds4.push(Number(range.last) + 1);
    } else {
      this.pendingStarts6.push(range.first);
      this.pendingEnds6.push(range.last + 1n);
    }
    return this;
  }

  /** IPv4 fast path of `add`: unsigned 32-bit first and last values, no bigints. */
  addNumbers(first: number, last: number): this {
    this.assertV4();
    if (
      !(
        Number.isInteger(first) &&
        Number.isInteger(last) &&
        first >= 0 &&
        first <= last &&
        last <= 2 ** 32 - 1
      )
    ) {
      throw new RangeError(`not a valid IPv4 range: ${first}..${last}`);
    }
    this.pendingStarts4.push(first);
    this.pendingEnds4.push(last + 1);
    return this;
  }

  addCidr(cidr: Cidr | string): this {
    return this.add(cidrRange(typeof cidr === "string" ? parseCidr(cidr) : cidr));
  }

  /** One address; InputError if the text is not an address. */
  addAddress(ip: string): this {
    const { family, value } = parseAddressValue(ip);
    return this.add({ family, first: value, last: value });
  }

  /** Every range of another set of the same family. */
  addSet(other: RangeSet): this {
    for (const range of other.ranges()) this.add(range);
    return this;
  }

  /** Sorts and merges what was added; queries call it themselves. */
  freeze(): this {
    if (this.family === 4) {
      if (this.pendingStarts4.length > 0) this.merge4();
    } else if (this.pendingStarts6.length > 0) {
      this.merge6();
    }
    return this;
  }

  get rangeCount(): number {
    this.freeze();
    return this.family === 4 ? this.v4.firsts.length : this.v6.firsts.length;
  }

  isEmpty(): boolean {
    return this.rangeCount === 0;
  }

  size(): bigint {
    const count = this.rangeCount;
    if (count === 0) return 0n;
    return this.family === 4
      ? BigInt(this.v4.cumulative[count - 1] as number)
      : (this.v6.cumulative[count - 1] as bigint);
  }

  contains(value: bigint): boolean {
    if (this.family === 4) {
      return value >= 0n && value <= MAX[4] && this.containsNumber(Number(value));
    }
    this.freeze();
    const { firsts, lasts } = this.v6;
    // the last range starting at or before value
    let lo = 0;
    let hi = firsts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((firsts[mid] as bigint) <= value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && value <= (lasts[found] as bigint);
  }

  /** IPv4 fast path of `contains`, for an unsigned 32-bit value. */
  containsNumber(value: number): boolean {
    this.assertV4();
    this.freeze();
    const { firsts, lasts } = this.v4;
    let lo = 0;
    let hi = firsts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((firsts[mid] as number) <= value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && value <= (lasts[found] as number);
  }

  /** The index-th address in ascending order (0-based); RangeError outside [0, size). */
  addressAt(index: bigint): bigint {
    if (this.family === 4) {
      if (index < 0n || index >= this.size()) throw new RangeError(`index ${index} outside the set`);
      return BigInt(this.addressAtNumber(Number(index)));
    }
    this.freeze();
    const { firsts, cumulative } = this.v6;
    const count = firsts.length;
    if (index < 0n || count === 0 || index >= (cumulative[count - 1] as bigint)) {
      throw new RangeError(`index ${index} outside the set`);
    }
    // the first range whose cumulative count exceeds index
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as bigint) > index) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0n : (cumulative[lo - 1] as bigint);
    return (firsts[lo] as bigint) + (index - before);
  }

  /** IPv4 fast path of `addressAt`: a Number index in, an unsigned 32-bit value out. */
  addressAtNumber(index: number): number {
    this.assertV4();
    this.freeze();
    const { firsts, cumulative } = this.v4;
    const count = firsts.length;
    if (!(index >= 0) || count === 0 || index >= (cumulative[count - 1] as number)) {
      throw new RangeError(`index ${index} outside the set`);
    }
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > index) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0 : (cumulative[lo - 1] as number);
    return (firsts[lo] as number) + (index - before);
  }

  /** The merged ranges, ascending. */
  ranges(): AddressRange[] {
    this.freeze();
    const family = this.family;
    if (family === 4) {
      const { firsts, lasts } = this.v4;
      return Array.from(firsts, (first, i) => ({
        family,
        first: BigInt(first),
        last: BigInt(lasts[i] as number),
      }));
    }
    const { firsts, lasts } = this.v6;
    return firsts.map((first, i) => ({ family, first, last: lasts[i] as bigint }));
  }

  /** Every address value in ascending order, lazily. */
  *values(): Generator<bigint> {
    for (const { first, last } of this.ranges()) {
      for (let v = first; v <= last; v++) yield v;
    }
  }

  /** Every address as text in ascending order, lazily. */
  *addresses(): Generator<string> {
    if (this.family === 4) {
      this.freeze();
      const { firsts, lasts } = this.v4;
      for (let i = 0; i < firsts.length; i++) {
        const last = lasts[i] as number;
        for (let v = firsts[i] as number; v <= last; v++) yield formatV4(v);
      }
      return;
    }
    for (const value of this.values()) yield formatAddress(6, value);
  }

  /** A new set: the addresses of this set that are not in `other`. */
  subtract(other: RangeSet): RangeSet {
    this.assertSameFamily(other);
    const mine = this.ranges();
    const theirs = other.ranges();
    const firsts: bigint[] = [];
    const lasts: bigint[] = [];
    let j = 0;
    for (const range of mine) {
      let start = range.first;
      // skip the ranges of `other` that end before this one starts
      while (j < theirs.length && (theirs[j] as AddressRange).last < start) j++;
      let k = j;
      while (start <= range.last) {
        const cut = theirs[k];
        if (!cut || cut.first > range.last) {
          firsts.push(start);
          lasts.push(range.last);
          break;
        }
        if (cut.first > start) {
          firsts.push(start);
          lasts.push(cut.first - 1n);
        }
        start = cut.last + 1n;
        k++;
      }
    }
    return RangeSet.fromSortedDisjoint(this.family, firsts, lasts);
  }

  /** A new set: the addresses in both. */
  intersect(other: RangeSet): RangeSet {
    this.assertSameFamily(other);
    const a = this.ranges();
    const b = other.ranges();
    const firsts: bigint[] = [];
    const lasts: bigint[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i] as AddressRange;
      const y = b[j] as AddressRange;
      const first = bigMax(x.first, y.first);
      const last = bigMin(x.last, y.last);
      if (first <= last) {
        firsts.push(first);
        lasts.push(last);
      }
      if (x.last < y.last) i++;
      else j++;
    }
    return RangeSet.fromSortedDisjoint(this.family, firsts, lasts);
  }

  /** From ranges already sorted and non-overlapping (adjacent ones may still touch). */
  private static fromSortedDisjoint(family: 4 | 6, firsts: bigint[], lasts: bigint[]): RangeSet {
    const set = new RangeSet(family);
    for (let i = 0; i < firsts.length; i++) {
      set.add({ family, first: firsts[i] as bigint, last: lasts[i] as bigint });
    }
    return set.freeze();
  }

  private merge4(): void {
    const old = this.v4;
    const total = old.firsts.length + this.pendingStarts4.length;
    const starts = new Float64Array(total);
    const ends = new Float64Array(total);
    starts.set(old.firsts);
    starts.set(this.pendingStarts4, old.firsts.length);
    for (let i = 0; i < old.lasts.length; i++) ends[i] = (old.lasts[i] as number) + 1;
    ends.set(this.pendingEnds4, old.lasts.length);
    this.pendingStarts4 = [];
    this.pendingEnds4 = [];
    starts.sort();
    ends.sort();
    const firsts: number[] = [];
    const lasts: number[] = [];
    sweep(
      total,
      (i, j) => (starts[i] as number) <= (ends[j] as number),
      (i) => firsts.push(starts[i] as number),
      (j) => lasts.push((ends[j] as number) - 1),
    );
    const cumulative = new Float64Array(firsts.length);
    let sum = 0;
    for (let i = 0; i < firsts.length; i++) {
      sum += (lasts[i] as number) - (firsts[i] as number) + 1;
      cumulative[i] = sum;
    }
    this.v4 = { firsts: Float64Array.from(firsts), lasts: Float64Array.from(lasts), cumulative };
  }

  private merge6(): void {
    const old = this.v6;
    const starts = old.firsts.concat(this.pendingStarts6);
    const ends = old.lasts.map((last) => last + 1n).concat(this.pendingEnds6);
    this.pendingStarts6 = [];
    this.pendingEnds6 = [];
    const ascending = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
    starts.sort(ascending);
    ends.sort(ascending);
    const firsts: bigint[] = [];
    const lasts: bigint[] = [];
    sweep(
      starts.length,
      (i, j) => (starts[i] as bigint) <= (ends[j] as bigint),
      (i) => firsts.push(starts[i] as bigint),
      (j) => lasts.push((ends[j] as bigint) - 1n),
    );
    let sum = 0n;
    const cumulative = firsts.map((first, i) => {
      sum += (lasts[i] as bigint) - first + 1n;
      return sum;
    });
    this.v6 = { firsts, lasts, cumulative };
  }

  private assertV4(): void {
    if (this.family !== 4) throw new RangeError("a Number fast path used on an IPv6 set");
  }

  private assertSameFamily(other: RangeSet): void {
    if (other.family !== this.family) throw new RangeError("sets of different families");
  }
}

/**
 * The union of `count` half-open intervals from their sorted starts and sorted ends: walk both
 * like events, a start before an end at the same point (so [a,b) and [b,c) join into [a,c));
 * a range opens when the depth leaves 0 and closes when it returns to 0.
 */
function sweep(
  count: number,
  startFirst: (i: number, j: number) => boolean,
  open: (i: number) => void,
  close: (j: number) => void,
): void {
  let i = 0;
  let j = 0;
  let depth = 0;
  while (i < count) {
    if (startFirst(i, j)) {
      if (depth === 0) open(i);
      depth += 1;
      i += 1;
    } else {
      depth -= 1;
      if (depth === 0) close(j);
      j += 1;
    }
  }
  // every start is in; the last end closes the last range
  if (count > 0) close(count - 1);
}

// Math.min/max take no bigints
function bigMax(a: bigint, b: bigint): bigint {
  if (a > b) return a;
  return b;
}

function bigMin(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}

/** The IPv4 and IPv6 halves of one address space. */
export interface AddressSpace {
  v4: RangeSet;
  v6: RangeSet;
}

export function emptySpace(): AddressSpace {
  return { v4: new RangeSet(4), v6: new RangeSet(6) };
}

/** A space from CIDRs of either family. */
export function spaceFromCidrs(cidrs: Iterable<Cidr | string>): AddressSpace {
  const space = emptySpace();
  for (const cidr of cidrs) addCidrToSpace(space, cidr);
  return space;
}

export function addCidrToSpace(space: AddressSpace, cidr: Cidr | string): void {
  const range = cidrRange(typeof cidr === "string" ? parseCidr(cidr) : cidr);
  (range.family === 4 ? space.v4 : space.v6).add(range);
}

/** The index-th address of a space, counting its IPv4 addresses first, then its IPv6 ones. */
export function spaceAddressAt(space: AddressSpace, index: bigint): string {
  const v4Size = space.v4.size();
  return index < v4Size
    ? formatV4(Number(space.v4.addressAt(index)))
    : formatAddress(6, space.v6.addressAt(index - v4Size));
}

export function spaceSize(space: AddressSpace): bigint {
  return space.v4.size() + space.v6.size();
}

export function subtractSpace(space: AddressSpace, cut: AddressSpace): AddressSpace {
  return { v4: space.v4.subtract(cut.v4), v6: space.v6.subtract(cut.v6) };
}
