/**
 * What every target source yields, and what `smtpsurvey targets` writes one a line. Field names
 * are a public contract (docs/targets.md): `ip`, and where known `port`, `domain`, `mx`,
 * `mx_preference`, `category`, `country`, `asn`.
 */
export interface Target {
  ip: string;
  /** a port this target names itself (zgrab2 input); otherwise grab's -p list applies */
  port?: number;
  /** the host name the target was given as on the command line or in a file */
  name?: string | null;
  /** the mail domain this address receives for (domains → MX) */
  domain?: string;
  /** the MX host name the address came from (the domain itself for an implicit MX) */
  mx?: string;
  mx_preference?: number;
  /** the domain's category from a `domain,category` file, or zgrab2's tag */
  category?: string;
  /** ISO 3166-1 alpha-2, from --country or --mmdb */
  country?: string;
  asn?: number;
}

/** A contiguous block of addresses of one family, as numbers (IPv6 needs bigint). */
export interface AddressRange {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}
