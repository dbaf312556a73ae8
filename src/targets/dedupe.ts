/**
 * Exact de-duplication of a stream of single addresses (MX addresses, names that resolve to
 * shared hosts, ...), without holding every IPv4 address as a string.
 *
 * IPv4: one page per /16 seen, made on first use, in a 65,536-slot page table (512 KiB, made on
 * the first IPv4 address). A page starts sparse, as a sorted Uint16Array of the low 16 bits
 * (2 bytes an address), and becomes a 65,536-bit bitmap (8 KiB) when it would outgrow 8 KiB,
 * i.e. at 4,096 addresses, where the bitmap becomes the smaller of the two. So a page never
 * holds more than 8 KiB (plus ~100 bytes of object), and memory is at most
 * min(8 KiB, 2 bytes × addresses in it) per /16 touched: the whole IPv4 space, the worst case,
 * is 512 MiB. Ten million addresses sampled at random from the public IPv4 space (~175 in each
 * of its ~56,000 /16s) hold 28 MiB of pages where plain bitmaps would hold 440 MiB; a
 * million, about 4 MiB. (Each page also costs ~200 bytes of typed-array object.)
 *
 * IPv6 keeps a Set of canonical strings (RFC 5952, so "0::1" and "::1" are one address): about
 * 100 bytes per distinct IPv6 address, unbounded by design, because IPv6 streams come from
 * resolution (MX, AAAA), not from enumerating ranges. IPv4-mapped IPv6 counts as IPv4.
 */
import { parseStrictIp, parseV4Number } from "./address-value.js";

const BITMAP_WORDS = 65_536 / 32;
/** a sparse page of this many 2-byte entries is as big as a bitmap page */
const SPARSE_LIMIT = 4_096;

interface SparsePage {
  /** sorted low 16 bits; only the first `count` are used */
  values: Uint16Array;
  count: number;
}

type Page = SparsePage | Uint32Array;

export class Deduper {
  private pages: Array<Page | undefined> | undefined;
  private readonly v6 = new Set<string>();
  private distinct4 = 0;

  /** Marks the address and says whether it had been seen before; InputError for bad text. */
  seen(ip: string): boolean {
    const v4 = parseV4Number(ip);
    if (v4 !== undefined) return this.seenV4(v4);
    const address = parseStrictIp(ip);
    if (address.kind() === "ipv4") {
      const [a, b, c, d] = address.toByteArray() as [number, number, number, number];
      return this.seenV4(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
    }
    const key = address.toString();
    if (this.v6.has(key)) return true;
    this.v6.add(key);
    return false;
  }

  /** How many distinct addresses have been seen. */
  get size(): number {
    return this.distinct4 + this.v6.size;
  }

  /** Bytes held by IPv4 pages' arrays (not the page table or object headers), for reports and tests. */
  get v4PageBytes(): number {
    let bytes = 0;
    for (const page of this.pages ?? []) {
      if (page) bytes += page instanceof Uint32Array ? page.byteLength : page.values.byteLength;
    }
    return bytes;
  }

  private seenV4(value: number): boolean {
    this.pages ??= new Array<Page | undefined>(65_536);
    const top = value >>> 16;
    const low = value & 0xffff;
    const page = this.pages[top];
    if (page === undefined) {
      const values = new Uint16Array(4);
      values[0] = low;
      this.pages[top] = { values, count: 1 };
    } else if (page instanceof Uint32Array) {
      const word = low >>> 5;
      const bit = 1 << (low & 31);
      const current = page[word] as number;
      if (current & bit) return true;
      page[word] = current | bit;
    } else {
      const at = lowerBound(page.values, page.count, low);
      if (at < page.count && page.values[at] === low) return true;
      this.insertSparse(top, page, at, low);
    }
    this.distinct4 += 1;
    return false;
  }

  private insertSparse(top: number, page: SparsePage, at: number, low: number): void {
    if (page.count === page.values.length) {
      if (page.count >= SPARSE_LIMIT) {
        const bitmap = new Uint32Array(BITMAP_WORDS);
        for (let i = 0; i < page.count; i++) {
          const v = page.values[i] as number;
          bitmap[v >>> 5] = (bitmap[v >>> 5] as number) | (1 << (v & 31));
        }
        bitmap[low >>> 5] = (bitmap[low >>> 5] as number) | (1 << (low & 31));
        (this.pages as Array<Page | undefined>)[top] = bitmap;
        return;
      }
      const grown = new Uint16Array(Math.min(page.values.length * 2, SPARSE_LIMIT));
      grown.set(page.values);
      page.values = grown;
    }
    page.values.copyWithin(at + 1, at, page.count);
    page.values[at] = low;
    page.count += 1;
  }
}

/** the first position in values[0..count) whose value is ≥ x */
function lowerBound(values: Uint16Array, count: number, x: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
