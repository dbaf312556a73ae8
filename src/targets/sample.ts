/**
 * Uniform random samples of an address space, without replacement and without memory: the
 * space's addresses form one index space (IPv4 first, then IPv6), a seeded permutation of that
 * index space is walked from 0, and step k yields the address at index permute(k). The first
 * `count` steps are `count` distinct addresses, each subset of that size equally likely (as far
 * as the permutation is random), and the same seed gives the same sample in the same order.
 */
import { formatV4 } from "./address-value.js";
import { createPermutation, SmallFeistel } from "./permutation.js";
import { type AddressSpace, spaceAddressAt, spaceSize } from "./range-set.js";

export interface Sample extends Iterable<string> {
  /** how many addresses the space holds (for "sampled N of a space of S addresses") */
  readonly spaceSize: bigint;
  /** how many addresses the sample yields: min(asked, spaceSize) */
  readonly count: bigint;
  /** true when more were asked for than the space holds, so the sample is the whole space */
  readonly everything: boolean;
  /** the address the sample yields at step k (0 ≤ k < count): random access into the same order */
  addressAt(step: bigint): string;
}

/**
 * `count` distinct addresses picked uniformly from the union of `space.v4` and `space.v6`.
 * Iterating the result again restarts the same sequence.
 */
export function sampleAddresses(space: AddressSpace, count: bigint | number, seed: string): Sample {
  const asked = toCount(count);
  const v4 = space.v4.freeze();
  const v6 = space.v6.freeze();
  const total = spaceSize(space);
  let yielded = total;
  if (asked < total) yielded = asked;
  const frozen: AddressSpace = { v4, v6 };
  let shared: ReturnType<typeof createPermutation> | null = null;
  const addressAt = (step: bigint): string => {
    if (step < 0n || step >= yielded) throw new RangeError(`step ${step} is outside the sample`);
    shared ??= createPermutation(total, seed);
    return spaceAddressAt(frozen, shared.permute(step));
  };

  function* walk(): Generator<string> {
    if (yielded === 0n) return;
    const permutation = createPermutation(total, seed);
    if (permutation instanceof SmallFeistel && v6.isEmpty()) {
      // IPv4 only: Numbers from end to end
      const steps = Number(yielded);
      for (let k = 0; k < steps; k++) yield formatV4(v4.addressAtNumber(permutation.permuteNumber(k)));
      return;
    }
    for (let k = 0n; k < yielded; k++) {
      yield spaceAddressAt(frozen, permutation.permute(k));
    }
  }

  return {
    spaceSize: total,
    count: yielded,
    everything: asked >= total,
    addressAt,
    [Symbol.iterator]: walk,
  };
}

function toCount(count: bigint | number): bigint {
  if (typeof count === "number" && !Number.isSafeInteger(count)) {
    throw new RangeError(`a sample size is a whole number, not ${count}`);
  }
  const value = BigInt(count);
  if (value < 0n) throw new RangeError(`a sample size cannot be negative: ${value}`);
  return value;
}
