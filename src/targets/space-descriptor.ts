/**
 * The address-space part of a plan as plain data, and random access into it: what lets a
 * distributed run (src/distributed) hand out a chunk as an index range [from, to) of the plan's
 * order instead of storing every target. A worker rebuilds the same order from the descriptor:
 * the kept ranges (after exclusions), walked in address order or through the seeded sample's
 * permutation, the shard, and the --country / --asn labels the targets carry.
 *
 * A plan with --mmdb has no descriptor: its annotations come from a file only the coordinator
 * has, so its targets are stored one by one instead.
 */
import type { AddressRange, Target } from "../core/target.js";
import { spaceAddressCount } from "./plan-space.js";
import { RangeLabels } from "./range-labels.js";
import { type AddressSpace, RangeSet, spaceAddressAt } from "./range-set.js";
import { sampleAddresses } from "./sample.js";
import { inShard, type Shard } from "./shard.js";
import { targetAnnotator } from "./target-annotator.js";

/** [first, last] as decimal text: IPv6 values do not fit JSON numbers */
type Span = [string, string];

export interface SpaceDescriptor {
  v4: Span[];
  v6: Span[];
  /** whether the IPv6 ranges are walked (a sample always draws from both) */
  walkV6: boolean;
  /** the --sample: its size (what it yields) and seed; null walks every address */
  sample: { count: string; seed: string } | null;
  shard: Shard | null;
  countries: Array<[string, Array<[4 | 6, ...Span]>]>;
  asns: Array<[number, Array<[4 | 6, ...Span]>]>;
}

export interface DescribedInputs {
  kept: AddressSpace;
  sample: { count: bigint; seed: string } | null;
  walkV6: boolean;
  shard: Shard | undefined;
  byCountry: RangeLabels<string>;
  byAsn: RangeLabels<number>;
}

export function describeSpace(inputs: DescribedInputs): SpaceDescriptor {
  const spans = (set: RangeSet): Span[] => set.ranges().map((r) => [r.first.toString(), r.last.toString()]);
  const labelled = <K>(labels: RangeLabels<K>): Array<[K, Array<[4 | 6, ...Span]>]> =>
    labels
      .entries()
      .map(([label, ranges]) => [
        label,
        ranges.map((r) => [r.family, r.first.toString(), r.last.toString()]),
      ]);
  return {
    v4: spans(inputs.kept.v4),
    v6: spans(inputs.kept.v6),
    walkV6: inputs.walkV6,
    sample: inputs.sample ? { count: inputs.sample.count.toString(), seed: inputs.sample.seed } : null,
    shard: inputs.shard ? { ...inputs.shard } : null,
    countries: labelled(inputs.byCountry),
    asns: labelled(inputs.byAsn),
  };
}

/** Random access into a described space, in the plan's own order. */
export interface IndexedSpace {
  /** how many indexes the order has (before the shard keeps its part) */
  readonly count: bigint;
  /** the targets at indexes [from, to) that the shard keeps, annotated as the plan does */
  targets(from: bigint, to: bigint): Target[];
}

export function indexSpace(descriptor: SpaceDescriptor): IndexedSpace {
  const kept: AddressSpace = { v4: rebuild(4, descriptor.v4), v6: rebuild(6, descriptor.v6) };
  const sample = descriptor.sample
    ? sampleAddresses(kept, BigInt(descriptor.sample.count), descriptor.sample.seed)
    : null;
  const count = spaceAddressCount(kept, sample, descriptor.walkV6);
  const addressAt = sample ? (k: bigint) => sample.addressAt(k) : (k: bigint) => spaceAddressAt(kept, k);
  const annotate = targetAnnotator(null, relabel(descriptor.countries), relabel(descriptor.asns));
  const shard = descriptor.shard;
  return {
    count,
    targets(from, to) {
      const out: Target[] = [];
      // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
      const end = to < count ? to : count;
      for (let k = from; k < end; k++) {
        const ip = addressAt(k);
        if (shard && !inShard(ip, shard)) continue;
        out.push(annotate({ ip }));
      }
      return out;
    },
  };
}

function rebuild(family: 4 | 6, spans: Span[]): RangeSet {
  const set = new RangeSet(family);
  for (const [first, last] of spans) set.add({ family, first: BigInt(first), last: BigInt(last) });
  return set.freeze();
}

function relabel<K>(entries: Array<[K, Array<[4 | 6, ...Span]>]>): RangeLabels<K> {
  const labels = new RangeLabels<K>();
  for (const [label, ranges] of entries) {
    for (const [family, first, last] of ranges) {
      const range: AddressRange = { family, first: BigInt(first), last: BigInt(last) };
      labels.add(label, range);
    }
  }
  return labels;
}
