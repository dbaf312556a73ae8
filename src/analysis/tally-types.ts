/**
 * What `Tallies` produces: plain JSON (no Maps, no bigints), so it can be written as it is,
 * compared in tests and read back by the report. Shares are fractions 0–1 of the stated total.
 */

/** One value and how often it was seen. */
export interface CountRow {
  value: string;
  count: number;
  /** count / the total it is a share of (0 when that total is 0) */
  share: number;
}

export interface FailureTally {
  /** records counted (every record, one per connection attempt) */
  records: number;
  /** every status seen, most frequent first */
  byStatus: CountRow[];
  /** per (port, protocol): each status's count, the port's records first by size */
  byPort: Array<{ port: number; protocol: string; records: number; statuses: CountRow[] }>;
  /**
   * per failure status, its most common `error` details (addresses and ports masked); counted
   * with a bounded heavy-hitter table, so a count may be high by at most `errorCountSlack`
   */
  topErrors: Array<{ status: string; errors: CountRow[] }>;
  errorCountSlack: number;
}

/** product/vendor/kind/version counts over some unit (endpoints, hosts, domains). */
export interface SoftwareCounts {
  /** the units counted */
  total: number;
  /** units whose software is unknown (none identified, or "unknown") */
  unknown: number;
  products: CountRow[];
  vendors: CountRow[];
  kinds: CountRow[];
  /** per known product, its versions (version, else version_range, else "unknown") */
  versions: Array<{ product: string; count: number; versions: CountRow[] }>;
}

export interface HostMerge {
  /** distinct addresses that answered (the units before merging) */
  addresses: number;
  /** hosts after merging addresses that share a key and an announced name */
  hosts: number;
  /** addresses that were merged into another address's host (addresses − hosts) */
  mergedAddresses: number;
  /** hosts that hold two or more addresses */
  multiAddressHosts: number;
  /** the most addresses in one host */
  largestHost: number;
}

export interface SoftwareTally {
  /** per answering endpoint (ip, port): every protocol */
  byEndpoint: SoftwareCounts;
  /** products per protocol, endpoints as the unit */
  byProtocol: Array<{ protocol: string; endpoints: number; products: CountRow[] }>;
  /** per host (merged addresses): its SMTP product (25, then 587, 465), else its surest answer */
  byHost: SoftwareCounts;
  merge: HostMerge;
}

export interface DomainShare {
  domains: number;
  /** domains whose MX addresses never answered SMTP on port 25 */
  noAnswer: number;
  /** every share's total is `domains`; "no answer" and "unknown" are rows of their own */
  products: CountRow[];
  vendors: CountRow[];
  kinds: CountRow[];
  /** per category (when the targets had categories), products as shares of that category */
  byCategory: Array<{ category: string; domains: number; noAnswer: number; products: CountRow[] }>;
}

/** TLS facts over SMTP endpoints (smtp and smtps) that answered. */
export interface TlsPosture {
  /** "all", or a port */
  scope: string;
  endpoints: number;
  /** STARTTLS listed in the EHLO reply (not counted for implicit TLS) */
  starttlsOffered: number;
  /** endpoints where TLS starts at once (465) */
  implicitTls: number;
  /** a TLS version was negotiated */
  handshakes: number;
  /** TLS was tried and failed (tls.error set, no version) */
  handshakeFailures: number;
  withCertificate: number;
  selfSigned: number;
  /** the leaf's not_after is before the record's started_at */
  expired: number;
  /** the leaf's not_before is after the record's started_at */
  notYetValid: number;
  /** RSA under 2048 bits, any DSA, EC under 224 bits */
  weakKey: number;
  /** the leaf names the name the server announced */
  serverNameMatch: number;
  serverNameMismatch: number;
  /** the leaf names the address's PTR name */
  ptrMatch: number;
  ptrMismatch: number;
  /** the leaf's key is presented by two or more endpoints (any port, protocol or address) */
  sharedKey: number;
  /** shares are of `handshakes` */
  versions: CountRow[];
  /** the ten most common, shares of `handshakes` */
  ciphers: CountRow[];
  /** leaf key kinds (rsa-2048, ecdsa-p256, …), shares of `withCertificate` */
  keyKinds: CountRow[];
}

/** One proportion from a sample, with its 95 % Wilson interval and what it implies for the space. */
export interface EstimateRow {
  id: string;
  label: string;
  successes: number;
  /** the trials the proportion is over (the sample, or the answering addresses) */
  trials: number;
  /** what `trials` are, in words */
  of: string;
  p: number;
  low: number;
  high: number;
  /** addresses in the whole space with the property: spaceSize × (successes / sampled) */
  population: number;
  populationLow: number;
  populationHigh: number;
}

export interface Estimates {
  sampled: number;
  spaceSize: number;
  z: number;
  rows: EstimateRow[];
}

export interface TallyResult {
  /** records read */
  records: number;
  /** distinct (ip, port) */
  endpoints: number;
  /** distinct addresses in the records */
  addresses: number;
  /** endpoints with status ok */
  okEndpoints: number;
  /** addresses whose port 25 answered SMTP (status ok) */
  smtpAnswering25: number;
  /** the earliest and latest started_at seen (ISO 8601), null without records */
  firstStartedAt: string | null;
  lastStartedAt: string | null;
  failures: FailureTally;
  software: SoftwareTally;
  /** null unless targets with domains were given */
  domains: DomainShare | null;
  /** over all SMTP endpoints first, then one per port */
  tls: TlsPosture[];
  /** null unless the targets were a sample */
  estimates: Estimates | null;
  /** the prior over products, the world's and the one re-estimated from this run (prior-em.ts) */
  priors?: PriorTable[];
}

/** One protocol's priors: the products with a share of 0.5 % or more under either. */
export interface PriorTable {
  protocol: string;
  /** identifiable records the estimate read */
  records: number;
  rows: Array<{ product: string; world: number; run: number }>;
}
