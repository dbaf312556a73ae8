/** What a plan records about its targets (run.json, OUT.meta.json): sources, space, sample, exclusions. */
import { MX_FAILURE_REASONS, type MxStats, type TargetsMeta } from "../core/targets-meta.js";
import type { ExclusionCounts } from "./exclusions.js";
import { GEO_DATA_SOURCES } from "./geo-prefixes.js";
import type { TargetSources } from "./plan-sources.js";
import { DEFAULT_SEED } from "./plan-space.js";
import type { Sample } from "./sample.js";
import type { Shard } from "./shard.js";

/** The options the metadata repeats (a TargetOptions will do). */
export interface MetaOptions {
  args: readonly string[];
  domains?: string;
  mmdb?: string;
  seed?: string;
  shard?: Shard;
}

export interface MetaInputs {
  options: MetaOptions;
  sources: TargetSources;
  spaceSize: bigint;
  sample: Sample | null;
  excluded: ExclusionCounts;
  /** the MX resolver's figures once domains were streamed */
  mx: MxStats | undefined;
}

export function targetsMeta({ options, sources, spaceSize, sample, excluded, mx }: MetaInputs): TargetsMeta {
  return {
    sources: {
      args: options.args.length,
      files: sources.files,
      countries: sources.countries,
      asns: sources.asns,
      domains: options.domains ?? null,
      mmdb: options.mmdb ?? null,
    },
    space_size: spaceSize.toString(),
    sample: sample
      ? { count: sample.count.toString(), seed: options.seed ?? DEFAULT_SEED, everything: sample.everything }
      : null,
    shard: options.shard ? { ...options.shard } : null,
    excluded: exclusionMeta(excluded),
    mx: mx ?? (options.domains ? emptyMxStats() : null),
    data_sources: sources.countries.length + sources.asns.length > 0 ? geoDataSources() : [],
  };
}

function exclusionMeta(counts: ExclusionCounts): TargetsMeta["excluded"] {
  return {
    special_purpose: counts.specialPurpose.toString(),
    exclude_list: counts.excluded.toString(),
    by_reason: Object.fromEntries([...counts.byReason].map(([k, v]) => [k, v.toString()])),
  };
}

function geoDataSources(): TargetsMeta["data_sources"] {
  return GEO_DATA_SOURCES.map(({ name, version, licence, attribution }) => ({
    name,
    version,
    licence,
    attribution,
  }));
}

/** Figures for --domains before any domain was read (the stream not run yet). */
function emptyMxStats(): MxStats {
  return {
    domainsRead: 0,
    domainsResolved: 0,
    domainsFailed: 0,
    failures: Object.fromEntries(MX_FAILURE_REASONS.map((r) => [r, 0])) as MxStats["failures"],
    targets: 0,
    queries: 0,
    mxHostsLookedUp: 0,
    cacheHits: 0,
  };
}
