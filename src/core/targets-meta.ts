/**
 * What a run records about its targets (run.json's `targets`, OUT.meta.json): written by
 * src/targets, read by the store, the analysis (estimates from a sample) and the report
 * (provenance), so it lives below all of them.
 */

/** How a target file is read: one address or name a line, zmap's CSV, or zgrab2's CSV. */
export type InputFormat = "plain" | "zmap" | "zgrab2";

export const MX_FAILURE_REASONS = [
  /** the domain does not exist (NXDOMAIN) */
  "nxdomain",
  /** the resolver answered SERVFAIL (often a broken or lame delegation, or DNSSEC failure) */
  "servfail",
  /** no answer within the timeout, after every retry */
  "timeout",
  /** the resolver refused the query */
  "refused",
  /** the domain publishes a null MX (RFC 7505): it accepts no mail. Not an error, but no targets */
  "null-mx",
  /** an MX host has neither an A nor an AAAA record (or does not exist, or is a CNAME to nowhere) */
  "no-address",
  /** the domain has no MX and no A/AAAA either, so there is no implicit MX (RFC 5321 §5.1) */
  "no-mx-no-address",
  /** anything else (malformed answer, resolver unreachable, ...): `detail` says what */
  "error",
] as const;

export type MxFailureReason = (typeof MX_FAILURE_REASONS)[number];

export interface MxStats {
  /** domains taken from the input */
  domainsRead: number;
  /** domains that gave at least one target */
  domainsResolved: number;
  /** domains that gave none (null MX included) */
  domainsFailed: number;
  /** failure records by reason (a domain can have several, one per MX host) */
  failures: Record<MxFailureReason, number>;
  targets: number;
  /** DNS queries sent (the resolver's retries of one query not counted) */
  queries: number;
  /** distinct MX hosts looked up (cache misses) */
  mxHostsLookedUp: number;
  /** MX hosts found in the cache (done or in flight) */
  cacheHits: number;
}

/** What a run keeps about its targets (run.json, OUT.meta.json): enough to estimate from a sample. */
export interface TargetsMeta {
  sources: {
    args: number;
    files: Array<{ path: string; format: InputFormat }>;
    countries: string[];
    asns: number[];
    domains: string | null;
    mmdb: string | null;
  };
  /** addresses in the address sources after exclusions: the space a sample is drawn from */
  space_size: string;
  sample: { count: string; seed: string; everything: boolean } | null;
  shard: { index: number; count: number } | null;
  excluded: { special_purpose: string; exclude_list: string; by_reason: Record<string, string> };
  /** per-domain resolution figures when --domains was given */
  mx: MxStats | null;
  /** data sets behind --country/--asn and their licences */
  data_sources: Array<{ name: string; version: string; licence: string; attribution: string }>;
}
