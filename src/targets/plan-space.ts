/**
 * What of the address space (after exclusions) is streamed: a seeded sample when --sample is
 * given, otherwise every address, with IPv6 only when it is small enough to walk.
 */
import { InputError } from "../core/errors.js";
import type { AddressSpace } from "./range-set.js";
import { type Sample, sampleAddresses } from "./sample.js";

export const DEFAULT_SEED = "smtpsurvey";

/** The most IPv6 addresses walked one by one without --sample (a /108). */
export const MAX_WALKED_V6 = 1n << 20n;

/** The --sample drawn from the kept space, or null without --sample. */
export function drawSample(
  kept: AddressSpace,
  size: bigint,
  count: bigint | undefined,
  seed: string | undefined,
): Sample | null {
  if (count === undefined) return null;
  if (size === 0n)
    throw new InputError(
      "--sample draws from addresses, CIDRs, countries or ASNs: none were given (or all excluded)",
    );
  return sampleAddresses(kept, count, seed ?? DEFAULT_SEED);
}

/**
 * Whether the IPv6 part of the space is streamed (one line on stderr when it is not). A
 * country's or an AS's IPv6 prefixes hold more addresses than any scan could visit: they are
 * only ever sampled from. Small IPv6 sources (a /112 given by hand) are walked like IPv4.
 */
export function walksV6(kept: AddressSpace, sample: Sample | null): boolean {
  const walkable = sample !== null || kept.v6.size() <= MAX_WALKED_V6;
  if (!walkable)
    process.stderr.write(
      `smtpsurvey: the IPv6 part of the sources holds ${kept.v6.size()} addresses, too many to walk: only IPv4 is listed; --sample N draws from both\n`,
    );
  return walkable;
}

/** The sample, or every IPv4 address and (when walked) every IPv6 one, in order. */
export function spaceAddresses(kept: AddressSpace, sample: Sample | null, walkV6: boolean): Iterable<string> {
  return sample ?? chain(kept.v4.addresses(), walkV6 ? kept.v6.addresses() : []);
}

/** How many addresses `spaceAddresses` yields. */
export function spaceAddressCount(kept: AddressSpace, sample: Sample | null, walkV6: boolean): bigint {
  return sample?.count ?? kept.v4.size() + (walkV6 ? kept.v6.size() : 0n);
}

function* chain<T>(...iterables: Iterable<T>[]): Generator<T> {
  for (const it of iterables) yield* it;
}
