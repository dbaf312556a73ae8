/**
 * Mail domains → the addresses that receive their mail, as RFC 5321 §5.1 finds them:
 *
 * 1. MX records, most preferred (lowest number) first; equal preferences ordered by host name so
 *    the output does not depend on the order the server happened to send.
 * 2. No MX (NODATA) → the implicit MX: the domain's own A/AAAA, reported with `mx` = the domain
 *    and `mx_preference` = 0. A domain with neither → failure `no-mx-no-address`.
 * 3. A null MX (RFC 7505: only the root "." as exchange) → failure `null-mx` (accepts no mail),
 *    no targets. A "." mixed with real MX hosts is ignored.
 * 4. Each MX host's A and AAAA, both asked, A first in the output; addresses sorted within a
 *    family. A host with neither (or that does not exist, or is a CNAME to nowhere) → failure
 *    `no-address` for that (domain, mx), while the domain's other hosts still give targets. If
 *    one family answered and the other failed (timeout, SERVFAIL...), the targets are kept and a
 *    failure names the family that failed; if both failed, one failure (the A family's reason,
 *    both details). CNAMEs are followed by the resolver.
 * 5. NXDOMAIN, SERVFAIL, timeout (after retries), REFUSED on the MX query → a failure with that
 *    reason for the whole domain; anything else → `error` with the c-ares code as detail.
 *
 * The same host listed twice in a domain's MX set keeps its best preference. An address reached
 * through two MX hosts of a domain is yielded once per host (the `mx` field differs); removing
 * duplicates across domains is the caller's business.
 *
 * MX hosts are cached: each distinct host is looked up once per resolver, failures included,
 * and concurrent domains sharing a host share the one lookup in flight. The cache grows with the
 * number of distinct MX hosts (a few hundred bytes each). Implicit-MX lookups are not cached.
 */
import { parseIp } from "../core/cidr.js";
import type { Target } from "../core/target.js";
import { MX_FAILURE_REASONS, type MxFailureReason, type MxStats } from "../core/targets-meta.js";
import { concurrentMap } from "./concurrent-map.js";
import { DnsClient, type DnsClientOptions, type Lookup, type LookupProblem } from "./dns-client.js";
import type { MxFailure } from "./mx-failures.js";

export interface MxResolverOptions extends DnsClientOptions {
  /** domains resolved at once (default 100); each may have several queries in flight */
  concurrency?: number;
  /** called once for every failure, as it happens (see mx-failures.ts for the side file) */
  onFailure?: (failure: MxFailure) => void;
}

/** A domain to resolve: a DomainEntry from the domains file fits. */
export interface DomainInput {
  domain: string;
  category?: string;
}

interface HostAddresses {
  v4: Lookup<string[]>;
  v6: Lookup<string[]>;
}

const DEFAULT_CONCURRENCY = 100;

export class MxResolver {
  private readonly dns: DnsClient;
  private readonly hosts = new Map<string, Promise<HostAddresses>>();
  private readonly concurrency: number;
  private readonly onFailure: (failure: MxFailure) => void;
  private readonly counts = {
    domainsRead: 0,
    domainsResolved: 0,
    domainsFailed: 0,
    targets: 0,
    mxHostsLookedUp: 0,
    cacheHits: 0,
  };
  private readonly failureCounts = Object.fromEntries(MX_FAILURE_REASONS.map((r) => [r, 0])) as Record<
    MxFailureReason,
    number
  >;

  /** Throws InputError for a server address c-ares does not accept. */
  constructor(options: MxResolverOptions = {}) {
    this.dns = new DnsClient(options);
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.onFailure = options.onFailure ?? (() => {});
  }

  get stats(): MxStats {
    return { ...this.counts, failures: { ...this.failureCounts }, queries: this.dns.queries };
  }

  /**
   * Every target of every domain. Each domain's targets come out together, in the order above;
   * domains come out in the order they finish, not input order (a timing-out domain would
   * otherwise hold back the rest). Failures go to `onFailure` as they happen. An error thrown by
   * the input (an InputError from the domains file) is rethrown here.
   */
  async *resolveAll(domains: AsyncIterable<DomainInput> | Iterable<DomainInput>): AsyncGenerator<Target> {
    for await (const targets of concurrentMap(domains, this.concurrency, (entry) =>
      this.resolveDomain(entry),
    ))
      yield* targets;
  }

  /** One domain's targets, in order; its failures go to `onFailure`. Never throws. */
  async resolveDomain(entry: DomainInput): Promise<Target[]> {
    this.counts.domainsRead += 1;
    const domain = entry.domain.toLowerCase().replace(/\.$/, "");
    const failures: MxFailure[] = [];
    let targets: Target[];
    try {
      targets = await this.targetsOf(domain, failures);
    } catch (error) {
      // A bug, not a DNS answer: record it against the domain rather than stop the survey.
      targets = [];
      failures.push({ domain, reason: "error", detail: String(error) });
    }
    if (entry.category !== undefined) for (const t of targets) t.category = entry.category;
    for (const failure of failures) {
      this.failureCounts[failure.reason] += 1;
      this.onFailure(failure);
    }
    this.counts.targets += targets.length;
    if (targets.length > 0) this.counts.domainsResolved += 1;
    else this.counts.domainsFailed += 1;
    return targets;
  }

  private async targetsOf(domain: string, failures: MxFailure[]): Promise<Target[]> {
    const mx = await this.dns.mx(domain);
    if (!mx.ok && mx.problem === "nodata") return this.implicitMx(domain, failures);
    if (!mx.ok) {
      failures.push({ domain, reason: mx.problem as MxFailureReason, detail: mx.detail });
      return [];
    }
    const hosts = mxHosts(mx.value);
    if (hosts.length === 0) {
      // Only root exchanges: the null MX of RFC 7505 (or an empty answer, which means the same).
      const detail = mx.value.length > 0 ? "the domain accepts no mail (RFC 7505)" : "empty MX answer";
      failures.push({ domain, reason: mx.value.length > 0 ? "null-mx" : "no-mx-no-address", detail });
      return [];
    }
    const resolved = await Promise.all(hosts.map((host) => this.hostAddresses(host.name)));
    const targets: Target[] = [];
    hosts.forEach((host, i) => {
      const addresses = resolved[i] as HostAddresses;
      const ips = usableAddresses(addresses, (reason, detail) =>
        failures.push({ domain, mx: host.name, reason, detail }),
      );
      for (const ip of ips) targets.push({ ip, domain, mx: host.name, mx_preference: host.preference });
    });
    return targets;
  }

  /** RFC 5321 §5.1: no MX, so the domain itself is the mail host, at preference 0. */
  private async implicitMx(domain: string, failures: MxFailure[]): Promise<Target[]> {
    const addresses = await this.lookupAddresses(domain);
    const ips = usableAddresses(addresses, (reason, detail) => {
      const noAddress = reason === "no-address";
      failures.push({
        domain,
        reason: noAddress ? "no-mx-no-address" : reason,
        detail: noAddress ? `no MX, and ${detail}` : detail,
      });
    });
    return ips.map((ip) => ({ ip, domain, mx: domain, mx_preference: 0 }));
  }

  /** The cached lookup of an MX host: one per host, shared while in flight, failures kept. */
  private hostAddresses(host: string): Promise<HostAddresses> {
    const cached = this.hosts.get(host);
    if (cached) {
      this.counts.cacheHits += 1;
      return cached;
    }
    this.counts.mxHostsLookedUp += 1;
    const lookup = this.lookupAddresses(host);
    this.hosts.set(host, lookup);
    return lookup;
  }

  private async lookupAddresses(host: string): Promise<HostAddresses> {
    const [v4, v6] = await Promise.all([this.dns.ipv4(host), this.dns.ipv6(host)]);
    return { v4, v6 };
  }
}

/** A domain's MX hosts, best first: root exchanges dropped, duplicates keep their best preference. */
function mxHosts(records: ReadonlyArray<{ exchange: string; priority: number }>) {
  const best = new Map<string, number>();
  for (const { exchange, priority } of records) {
    const name = exchange.toLowerCase().replace(/\.$/, "");
    if (name === "") continue;
    best.set(name, Math.min(priority, best.get(name) ?? priority));
  }
  return [...best]
    .map(([name, preference]) => ({ name, preference }))
    .sort((a, b) => a.preference - b.preference || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The addresses of one host, A first then AAAA, each family sorted. Reports through `fail`: a
 * family that failed for a reason other than "no such record" (even when the other answered),
 * or `no-address` when neither family gave anything.
 */
function usableAddresses(
  addresses: HostAddresses,
  fail: (reason: MxFailureReason, detail: string) => void,
): string[] {
  const families = [
    { label: "A", lookup: addresses.v4 },
    { label: "AAAA", lookup: addresses.v6 },
  ];
  const ips = families.flatMap(({ lookup }) => (lookup.ok ? sortAddresses(lookup.value) : []));
  const hardFailures = families.flatMap(({ label, lookup }) =>
    !lookup.ok && !isAbsence(lookup.problem)
      ? [{ reason: lookup.problem as MxFailureReason, detail: `${label}: ${lookup.detail}` }]
      : [],
  );
  if (ips.length > 0) {
    for (const { reason, detail } of hardFailures) fail(reason, `${detail}; the other family answered`);
  } else if (hardFailures.length > 0) {
    // One record for the host: the A family's reason, both families' details.
    fail(
      (hardFailures[0] as { reason: MxFailureReason }).reason,
      hardFailures.map((h) => h.detail).join("; "),
    );
  } else {
    const missing = families.every(({ lookup }) => !lookup.ok && lookup.problem === "nxdomain");
    fail("no-address", missing ? "the host name does not exist" : "no A or AAAA record");
  }
  return ips;
}

/** NODATA and NXDOMAIN for an address query both just mean "no address of this family". */
function isAbsence(problem: LookupProblem): boolean {
  return problem === "nodata" || problem === "nxdomain";
}

function sortAddresses(ips: readonly string[]): string[] {
  const keyed = ips.map((ip) => ({ ip, bytes: parseIp(ip).toByteArray() }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.bytes.length; i++) {
      const d = (a.bytes[i] ?? 0) - (b.bytes[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return [...new Set(keyed.map((k) => k.ip))];
}
