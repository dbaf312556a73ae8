/**
 * Every target source behind one stream: addresses, CIDRs, countries and ASNs become one address
 * space (sorted, merged, so duplicates and overlaps vanish in memory that grows with the number
 * of ranges, not addresses), exclusions are cut out of it, and it is walked in order or through
 * a seeded sample; host names, zgrab2 rows and domains (→ MX → addresses) follow as single
 * targets, checked against the same exclusions. A shard keeps its part of whatever comes out.
 *
 * `planTargets` reads and checks every source before anything is yielded, so bad input fails
 * with one line (InputError) and nothing half-written. The parts: plan-sources.ts reads the
 * sources, plan-space.ts samples the space, plan-stream.ts streams, plan-meta.ts describes.
 */
import { InputError } from "../core/errors.js";
import type { Scope } from "../core/scope.js";
import type { Target } from "../core/target.js";
import type { TargetsMeta } from "../core/targets-meta.js";
import { checkDomainFile } from "./domain-file.js";
import { Exclusion } from "./exclusions.js";
import { openMmdb } from "./mmdb.js";
import type { MxFailure } from "./mx-failures.js";
import { MxResolver } from "./mx-resolver.js";
import { targetsMeta } from "./plan-meta.js";
import { readSources, type TargetSources } from "./plan-sources.js";
import { DEFAULT_SEED, drawSample, spaceAddressCount, walksV6 } from "./plan-space.js";
import { type StreamInputs, streamSingles, streamSpace, streamTargets } from "./plan-stream.js";
import { spaceSize } from "./range-set.js";
import type { Sample } from "./sample.js";
import type { Shard } from "./shard.js";
import { describeSpace, type SpaceDescriptor } from "./space-descriptor.js";
import { targetAnnotator } from "./target-annotator.js";

export { DEFAULT_SEED, MAX_WALKED_V6 } from "./plan-space.js";

export interface TargetOptions {
  /** addresses, CIDRs and host names from the command line */
  args: readonly string[];
  /** target files: plain, zmap CSV or zgrab2 CSV (detected per file) */
  inputs: readonly string[];
  countries: readonly string[];
  asns: readonly string[];
  domains?: string;
  dns?: {
    servers?: readonly string[];
    concurrency?: number;
    rate?: number;
    timeoutMs?: number;
    retries?: number;
  };
  /** called for every domain that gave no (or not every) address */
  onMxFailure?: (failure: MxFailure) => void;
  mmdb?: string;
  sample?: bigint;
  seed?: string;
  shard?: Shard;
  excludes: readonly string[];
  /** the scan's scope: a special-purpose range it names is not dropped */
  scope?: Scope;
}

export interface TargetPlan {
  /** addresses the sources hold after exclusions (before sampling and sharding) */
  readonly spaceSize: bigint;
  /** at most how many targets the stream yields before sharding, when known (domains make it unknown) */
  readonly expected: bigint | null;
  readonly sample: Sample | null;
  stream(): AsyncGenerator<Target>;
  /** `stream()` in its two parts: the address space's targets, then the single ones */
  parts(): { space: AsyncGenerator<Target>; singles: AsyncGenerator<Target> };
  /** the space's part as plain data, for random access elsewhere; null with --mmdb (its file is here only) */
  spaceDescriptor(): SpaceDescriptor | null;
  meta(): TargetsMeta;
  /** one line for stderr: what exclusions dropped */
  exclusionSummary(): string;
}

export async function planTargets(options: TargetOptions): Promise<TargetPlan> {
  const sources = await readSources(options);
  const domainCount = options.domains ? await checkDomainFile(options.domains) : 0;
  const mmdb = options.mmdb ? await openMmdb(options.mmdb) : null;
  const exclusion = await Exclusion.build({ scope: options.scope, excludeFiles: options.excludes });
  const kept = exclusion.apply(sources.space);
  const size = spaceSize(kept);
  const sample = drawSample(kept, size, options.sample, options.seed);
  requireSomeTarget(size, sources, domainCount, exclusion);
  const walkV6 = walksV6(kept, sample);

  let mxResolver: MxResolver | null = null;
  // a fresh resolver for each pass over the domains; meta() reports the latest one's figures
  const newMxResolver = () => {
    mxResolver = new MxResolver({ ...options.dns, onFailure: options.onMxFailure });
    return mxResolver;
  };
  const inputs: StreamInputs = {
    kept,
    sample,
    walkV6,
    names: sources.names,
    zgrab2Files: sources.zgrab2Files,
    domains: options.domains ? { file: options.domains, resolver: newMxResolver } : null,
    exclusion,
    shard: options.shard,
    annotate: targetAnnotator(mmdb, sources.byCountry, sources.byAsn),
  };

  return {
    spaceSize: size,
    expected: options.domains
      ? null
      : spaceAddressCount(kept, sample, walkV6) + BigInt(sources.names.length) + sources.zgrab2Rows,
    sample,
    stream: () => streamTargets(inputs),
    parts: () => ({ space: streamSpace(inputs), singles: streamSingles(inputs) }),
    spaceDescriptor: () =>
      mmdb
        ? null
        : describeSpace({
            kept,
            sample: sample ? { count: sample.count, seed: options.seed ?? DEFAULT_SEED } : null,
            walkV6,
            shard: options.shard,
            byCountry: sources.byCountry,
            byAsn: sources.byAsn,
          }),
    exclusionSummary: () => exclusion.summary(),
    meta: () =>
      targetsMeta({
        options,
        sources,
        spaceSize: size,
        sample,
        excluded: exclusion.counts(),
        mx: mxResolver?.stats,
      }),
  };
}

/** Nothing to scan is an InputError, naming the exclusions when they took everything. */
function requireSomeTarget(
  size: bigint,
  sources: TargetSources,
  domainCount: number,
  exclusion: Exclusion,
): void {
  if (size > 0n || sources.names.length > 0 || sources.zgrab2Rows > 0n || domainCount > 0) return;
  const { specialPurpose, excluded } = exclusion.counts();
  throw new InputError(
    specialPurpose + excluded > 0n
      ? `no targets left: ${exclusion.summary()}`
      : "no targets: give addresses, CIDRs, host names, -i FILE, --country, --asn or --domains",
  );
}
