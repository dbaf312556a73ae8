/**
 * A Bloom filter over "ip|port" keys: "certainly not there" without asking SQLite. A fresh run
 * used to pay one SQLite lookup per target to learn that nothing was done yet (3 % of a grab's
 * CPU); now only a key the filter may hold is looked up. 4 MiB of bits and 4 hashes: about 1
 * false "maybe" in 500 at a million keys, which costs only the lookup it would have cost anyway.
 */
import { fnv1a } from "../core/hash.js";

const BITS = 2 ** 25;
const MASK = BITS - 1;

export class KeyFilter {
  private readonly bits = new Uint32Array(BITS / 32);

  add(key: string): void {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < 4; i++) {
      const bit = (h1 + i * h2) & MASK;
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
  }

  /** false: the key was never added; true: it may have been */
  mayHave(key: string): boolean {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < 4; i++) {
      const bit = (h1 + i * h2) & MASK;
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two 32-bit FNV-1a variants (different bases and primes); double hashing derives the rest. */
function hashes(key: string): [number, number] {
  // an odd step visits distinct bits
  return [fnv1a(key), (fnv1a(key, 0x5bd1e995 ^ 0x01000193, 0x5bd1e995) | 1) >>> 0];
}
