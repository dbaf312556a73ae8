/**
 * Every target source behind one stream: addresses, CIDRs, countries and ASNs become one address
 * space (sorted, merged, so duplicates and overlaps vanish in memory that grows with the number
 * of ranges, not addresses), exclusions are cut out of it, and it is walked in order or through
 * a seeded sample; host names, zgrab2 rows and domains (→ MX → addresses) follow as single
 * targets, checked against the same exclusions. A shard keeps its part of whatever comes out.
 *
 * `planTargets` reads and checks every source before anything is yielded, so bad input fails
 * with one line (InputError) and nothing half-written.
 */
import { lookup } from "node:dns/promises";
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { access, constants, mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseCidr } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import type { Scope } from "../core/scope.js";
import type { Target } from "../core/target.js";
import type { TargetsMeta } from "../core/targets-meta.js";
import { type InputFormat, MX_FAILURE_REASONS, type MxStats } from "../core/targets-meta.js";
import { parseAddressValue } from "./address-value.js";
import { fileLines, parseTargetSpec } from "./command-line.js";
import { Deduper } from "./dedupe.js";
import { checkDomainFile, readDomainFile } from "./domain-file.js";
import { Exclusion } from "./exclusions.js";
import { asnRanges, countryRanges, GEO_DATA_SOURCES, parseAsn } from "./geo-prefixes.js";
import { detectInputFormat, readFormattedTargets } from "./input-formats.js";
import { openMmdb } from "./mmdb.js";
import type { MxFailure } from "./mx-failures.js";
import { MxResolver } from "./mx-resolver.js";
import { emptySpace, RangeSet, spaceSize } from "./range-set.js";
import { type Sample, sampleAddresses } from "./sample.js";
import { inShard, type Shard } from "./shard.js";

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
  meta(): TargetsMeta;
  /** one line for stderr: what exclusions dropped */
  exclusionSummary(): string;
}

export const DEFAULT_SEED = "smtpsurvey";

/** The most IPv6 addresses walked one by one without --sample (a /108). */
export const MAX_WALKED_V6 = 1n << 20n;

export async function planTargets(options: TargetOptions): Promise<TargetPlan> {
  const space = emptySpace();
  const names: Array<{ name: string; where?: string }> = [];
  const files: Array<{ path: string; format: InputFormat }> = [];
  /** zgrab2 files, streamed a second time (the spooled copy for a pipe) */
  const zgrab2Files: string[] = [];

  for (const arg of options.args) {
    const spec = parseTargetSpec(arg);
    if (spec.kind === "cidr") addCidr(space, spec.cidr.text);
    else names.push({ name: spec.name });
  }
  let rowTargets = 0n;
  for (const given of options.inputs) {
    const path = await readableFile(given);
    const format = await detectInputFormat(path);
    files.push({ path: given, format });
    if (format === "zgrab2") zgrab2Files.push(path);
    if (format === "plain") {
      for await (const { text, line } of fileLines(path)) {
        const spec = parseTargetSpec(text, `${path}:${line}`);
        if (spec.kind === "cidr") addCidr(space, spec.cidr.text);
        else names.push({ name: spec.name, where: `${path}:${line}` });
      }
    } else if (format === "zmap") {
      for await (const row of readFormattedTargets(path, "zmap"))
        if (row.kind === "address") addCidr(space, row.target.ip);
    } else {
      // zgrab2 rows carry their own port, tag and name: checked now, streamed again later
      for await (const _ of readFormattedTargets(path, "zgrab2")) rowTargets += 1n;
    }
  }

  const countries = [...new Set(options.countries.flatMap(splitList).map((c) => c.toUpperCase()))];
  const asns = [...new Set(options.asns.flatMap(splitList).map(parseAsn))];
  const byCountry = new Map<string, RangeSet[]>();
  const byAsn = new Map<number, RangeSet[]>();
  for await (const range of countryRanges(countries)) {
    (range.family === 4 ? space.v4 : space.v6).add(range);
    annotationSet(byCountry, range.country as string, range.family).add(range);
  }
  for await (const range of asnRanges(asns)) {
    (range.family === 4 ? space.v4 : space.v6).add(range);
    annotationSet(byAsn, range.asn as number, range.family).add(range);
  }

  const domainCount = options.domains ? await checkDomainFile(options.domains) : 0;
  const mmdb = options.mmdb ? await openMmdb(options.mmdb) : null;
  const exclusion = await Exclusion.build({ scope: options.scope, excludeFiles: options.excludes });
  const kept = exclusion.apply(space);
  const size = spaceSize(kept);

  if (options.sample !== undefined && size === 0n)
    throw new InputError(
      "--sample draws from addresses, CIDRs, countries or ASNs: none were given (or all excluded)",
    );
  const sample =
    options.sample !== undefined ? sampleAddresses(kept, options.sample, options.seed ?? DEFAULT_SEED) : null;
  if (size === 0n && names.length === 0 && rowTargets === 0n && domainCount === 0) {
    throw new InputError(
      exclusion.counts().specialPurpose + exclusion.counts().excluded > 0n
        ? `no targets left: ${exclusion.summary()}`
        : "no targets: give addresses, CIDRs, host names, -i FILE, --country, --asn or --domains",
    );
  }

  // fills country and asn in place (every target here is a fresh object)
  const annotate = (target: Target): Target => {
    if (mmdb === null && byCountry.size === 0 && byAsn.size === 0) return target;
    const found = mmdb?.annotate(target.ip);
    const country = target.country ?? found?.country ?? lookupAnnotation(byCountry, target.ip);
    const asn = target.asn ?? found?.asn ?? lookupAnnotation(byAsn, target.ip);
    if (country !== undefined) target.country = country;
    if (asn !== undefined) target.asn = asn;
    return target;
  };
  const mine = (ip: string) => !options.shard || inShard(ip, options.shard);
  // A country's or an AS's IPv6 prefixes hold more addresses than any scan could visit: they are
  // only ever sampled from. Small IPv6 sources (a /112 given by hand) are walked like IPv4.
  const walkableV6 = sample !== null || kept.v6.size() <= MAX_WALKED_V6;
  if (!walkableV6)
    process.stderr.write(
      `smtpsurvey: the IPv6 part of the sources holds ${kept.v6.size()} addresses, too many to walk: only IPv4 is listed; --sample N draws from both\n`,
    );
  let mxResolver: MxResolver | null = null;

  async function* stream(): AsyncGenerator<Target> {
    const addresses: Iterable<string> =
      sample ?? chain(kept.v4.addresses(), walkableV6 ? kept.v6.addresses() : []);
    for (const ip of addresses) if (mine(ip)) yield annotate({ ip });

    // single targets: each address checked against the exclusions, each seen once
    const seen = new Deduper();
    const single = (target: Target): Target | null => {
      if (exclusion.drops(target.ip) !== undefined || !mine(target.ip)) return null;
      return annotate(target);
    };
    for (const { name } of names) {
      for (const ip of await resolveName(name)) {
        if (kept.v4.size() + kept.v6.size() > 0n && inSpace(kept, ip)) continue;
        if (seen.seen(ip)) continue;
        const target = single({ ip, name });
        if (target) yield target;
      }
    }
    const rowsSeen = new Set<string>();
    for (const path of zgrab2Files) {
      for await (const row of readFormattedTargets(path, "zgrab2")) {
        const base = row.kind === "address" ? row.target : row.kind === "cidr" ? row.fields : row.fields;
        const ips =
          row.kind === "address"
            ? [row.target.ip]
            : row.kind === "cidr"
              ? new RangeSet(row.cidr.address.kind() === "ipv4" ? 4 : 6).addCidr(row.cidr).addresses()
              : await resolveName(row.name);
        for (const ip of ips) {
          const fields: Omit<Target, "ip"> = row.kind === "name" ? { ...base, name: row.name } : base;
          const key = `${ip} ${fields.port ?? ""} ${fields.name ?? ""}`;
          if (rowsSeen.has(key)) continue;
          rowsSeen.add(key);
          const target = single({ ...fields, ip });
          if (target) yield target;
        }
      }
    }
    if (options.domains) {
      mxResolver = new MxResolver({ ...options.dns, onFailure: options.onMxFailure });
      // each (domain, MX, address) is kept, so per-domain market share can be told later
      for await (const target of mxResolver.resolveAll(readDomainFile(options.domains))) {
        const kept = single(target);
        if (kept) yield kept;
      }
    }
  }

  return {
    spaceSize: size,
    expected: options.domains
      ? null
      : (sample?.count ?? kept.v4.size() + (walkableV6 ? kept.v6.size() : 0n)) +
        BigInt(names.length) +
        rowTargets,
    sample,
    stream,
    exclusionSummary: () => exclusion.summary(),
    meta: () => {
      const counts = exclusion.counts();
      return {
        sources: {
          args: options.args.length,
          files,
          countries,
          asns,
          domains: options.domains ?? null,
          mmdb: options.mmdb ?? null,
        },
        space_size: size.toString(),
        sample: sample
          ? {
              count: sample.count.toString(),
              seed: options.seed ?? DEFAULT_SEED,
              everything: sample.everything,
            }
          : null,
        shard: options.shard ? { ...options.shard } : null,
        excluded: {
          special_purpose: counts.specialPurpose.toString(),
          exclude_list: counts.excluded.toString(),
          by_reason: Object.fromEntries([...counts.byReason].map(([k, v]) => [k, v.toString()])),
        },
        mx: mxResolver?.stats ?? (options.domains ? emptyMxStats() : null),
        data_sources:
          countries.length + asns.length > 0
            ? GEO_DATA_SOURCES.map(({ name, version, licence, attribution }) => ({
                name,
                version,
                licence,
                attribution,
              }))
            : [],
      };
    },
  };
}

function addCidr(space: ReturnType<typeof emptySpace>, text: string): void {
  const cidr = parseCidr(text);
  (cidr.address.kind() === "ipv4" ? space.v4 : space.v6).addCidr(cidr);
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function annotationSet<K>(map: Map<K, RangeSet[]>, key: K, family: 4 | 6): RangeSet {
  let sets = map.get(key);
  if (!sets) {
    sets = [new RangeSet(4), new RangeSet(6)];
    map.set(key, sets);
  }
  return sets[family === 4 ? 0 : 1] as RangeSet;
}

function lookupAnnotation<K>(map: Map<K, RangeSet[]>, ip: string): K | undefined {
  if (map.size === 0) return undefined;
  const { family, value } = parseAddressValue(ip);
  for (const [key, sets] of map) {
    const set = sets[family === 4 ? 0 : 1] as RangeSet;
    if (family === 4 ? set.containsNumber(Number(value)) : set.contains(value)) return key;
  }
  return undefined;
}

function inSpace(space: ReturnType<typeof emptySpace>, ip: string): boolean {
  const { family, value } = parseAddressValue(ip);
  return family === 4 ? space.v4.containsNumber(Number(value)) : space.v6.contains(value);
}

function* chain<T>(...iterables: Iterable<T>[]): Generator<T> {
  for (const it of iterables) yield* it;
}

/**
 * A path that can be read more than once: sources are read twice (checked first, streamed
 * later), which a pipe cannot do, so `-i -`, `/dev/stdin` or `<(zmap …)` is spooled to a
 * temporary file first (removed when the process exits).
 */
async function readableFile(given: string): Promise<string> {
  const path = given;
  if (given !== "-") {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      await access(path, constants.R_OK);
      info = await stat(path);
    } catch {
      throw new InputError(`cannot read targets file ${given}`);
    }
    if (info.isFile()) return path;
  }
  const dir = await mkdtemp(join(tmpdir(), "smtpsurvey-input-"));
  const spool = join(dir, "targets");
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  try {
    // stdin may be a socket, which /dev/stdin cannot reopen: read the stream this process has
    await pipeline(given === "-" ? process.stdin : createReadStream(path), createWriteStream(spool));
  } catch (error) {
    throw new InputError(`cannot read targets file ${given}: ${(error as Error).message}`);
  }
  return spool;
}

/** A host name's addresses (both families), or none with a line on stderr. */
async function resolveName(name: string): Promise<string[]> {
  try {
    const found = await lookup(name, { all: true, verbatim: true });
    return [...new Set(found.map((a) => a.address))];
  } catch (error) {
    process.stderr.write(
      `smtpsurvey: cannot resolve ${name}: ${(error as NodeJS.ErrnoException).code ?? error}\n`,
    );
    return [];
  }
}

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
