/**
 * `--country` and `--asn`: the address ranges a country or an autonomous system holds, from the
 * open ip-location-db data sets installed as npm packages (their `-num` CSVs: `first,last,KEY…`
 * with the bounds as decimal integers, one file per address family).
 *
 * Licences (also in GEO_DATA_SOURCES, which reads each package's version at run time):
 *   - @ip-location-db/geo-whois-asn-country: the package says CC0-1.0; its README and NRO_LICENSE
 *     say the underlying RIR data is CC BY 4.0 by the NRO, so we attribute nro.net as well.
 *   - @ip-location-db/asn: CC BY 4.0, by RouteViews, DB-IP and the NRO (ROUTEVIEWS-LICENSE,
 *     DBIP-LICENSE, NRO_LICENSE): attribution to routeviews.org, db-ip.com and nro.net.
 *
 * The CSVs are streamed line by line; only the matching ranges are ever held, one at a time.
 * Unknown codes are found by a first streaming pass that stops as soon as every requested key has
 * been seen (a few ms for a big country, one full pass only when a key is missing), so bad input
 * fails with InputError before the first range is yielded.
 */
import { createReadStream, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { InputError } from "../core/errors.js";
import type { AddressRange } from "../core/target.js";

export type GeoRange = AddressRange & { country?: string; asn?: number };

/** The two `-num` CSVs of one data set; tests point these at small fixtures. */
export interface GeoDataFiles {
  ipv4: string;
  ipv6: string;
}

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

const COUNTRY_PACKAGE = "@ip-location-db/geo-whois-asn-country";
const ASN_PACKAGE = "@ip-location-db/asn";

export function countryDataFiles(): GeoDataFiles {
  const dir = packageDir(COUNTRY_PACKAGE);
  return {
    ipv4: join(dir, "geo-whois-asn-country-ipv4-num.csv"),
    ipv6: join(dir, "geo-whois-asn-country-ipv6-num.csv"),
  };
}

export function asnDataFiles(): GeoDataFiles {
  const dir = packageDir(ASN_PACKAGE);
  return { ipv4: join(dir, "asn-ipv4-num.csv"), ipv6: join(dir, "asn-ipv6-num.csv") };
}

export interface GeoDataSource {
  name: string;
  package: string;
  /** the installed package's version, or "not installed" */
  version: string;
  /** the licence as the package states it, and what its bundled licence files add */
  licence: string;
  /** what must accompany results derived from the data */
  attribution: string;
  url: string;
}

function installedVersion(name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8"));
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "not installed";
  }
}

export const GEO_DATA_SOURCES: readonly GeoDataSource[] = [
  {
    name: "ip-location-db geo-whois-asn-country (GeoFeed + RIR WHOIS + RIR ASN → country)",
    package: COUNTRY_PACKAGE,
    version: installedVersion(COUNTRY_PACKAGE),
    licence:
      "CC0-1.0 (package.json); the README and NRO_LICENSE give the RIR source data as CC BY 4.0 by the NRO",
    attribution:
      "Country data: ip-location-db (sapics), built from RIR statistics © Number Resource Organization (nro.net), CC BY 4.0.",
    url: "https://github.com/sapics/ip-location-db/tree/main/geo-whois-asn-country",
  },
  {
    name: "ip-location-db asn (RouteViews + RIR ASN + DB-IP IP to ASN Lite)",
    package: ASN_PACKAGE,
    version: installedVersion(ASN_PACKAGE),
    licence: "CC BY 4.0 (ROUTEVIEWS-LICENSE, DBIP-LICENSE, NRO_LICENSE)",
    attribution:
      "ASN data: ip-location-db (sapics), from RouteViews (routeviews.org), the NRO (nro.net) and IP to ASN Lite by DB-IP (db-ip.com), CC BY 4.0.",
    url: "https://github.com/sapics/ip-location-db/tree/main/asn",
  },
];

/** Upper-cases and checks the shape; whether the data knows the code is checked later. */
function normaliseCountry(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper)) throw new InputError(`unknown country code ${code.trim()}`);
  return upper;
}

/** "13335", "AS13335" or "as13335" → 13335; anything else is an InputError. */
export function parseAsn(text: string): number {
  const match = /^(?:AS)?(\d{1,10})$/i.exec(text.trim());
  const asn = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(asn) || asn > 0xffffffff) throw new InputError(`not an ASN: ${JSON.stringify(text)}`);
  return asn;
}

/** Every range of the given countries (ISO 3166-1 alpha-2, any case): IPv4 first, then IPv6. */
export async function* countryRanges(
  codes: readonly string[],
  files: GeoDataFiles = countryDataFiles(),
): AsyncGenerator<GeoRange> {
  const wanted = new Set(codes.map(normaliseCountry));
  // nothing asked for: the data file (tens of MB) is not read at all
  if (wanted.size === 0) return;
  const missing = await missingKeys(files, wanted);
  if (missing.length > 0) {
    throw new InputError(`unknown country code${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  }
  for await (const { key, ...range } of matchingRanges(files, wanted)) yield { ...range, country: key };
}

/** Every range announced by or registered to the given ASNs: IPv4 first, then IPv6. */
export async function* asnRanges(
  asns: readonly number[],
  files: GeoDataFiles = asnDataFiles(),
): AsyncGenerator<GeoRange> {
  for (const asn of asns) {
    if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) throw new InputError(`not an ASN: ${asn}`);
  }
  const wanted = new Set(asns.map(String));
  if (wanted.size === 0) return;
  const missing = await missingKeys(files, wanted);
  if (missing.length > 0)
    throw new InputError(`unknown ASN${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  for await (const { key, ...range } of matchingRanges(files, wanted)) yield { ...range, asn: Number(key) };
}

interface KeyedRange extends AddressRange {
  key: string;
}

/** The lines of one CSV with the key column (the third) cut out; the rest is parsed on demand. */
async function* keyedLines(path: string): AsyncGenerator<{ line: string; key: string; end: number }> {
  const input = createReadStream(path, "utf8");
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of reader) {
      const firstComma = line.indexOf(",");
      const secondComma = line.indexOf(",", firstComma + 1);
      if (firstComma < 0 || secondComma < 0) continue; // blank or foreign line: not data
      const thirdComma = line.indexOf(",", secondComma + 1);
      const key = line.slice(secondComma + 1, thirdComma < 0 ? undefined : thirdComma);
      yield { line, key, end: secondComma };
    }
  } catch (error) {
    throw new InputError(`cannot read geo data file ${path}: ${(error as Error).message}`);
  } finally {
    // Stopping early (every key found) must not leave the file open.
    reader.close();
    input.destroy();
  }
}

/** The wanted keys that appear in neither file, in the order asked. */
async function missingKeys(files: GeoDataFiles, wanted: ReadonlySet<string>): Promise<string[]> {
  const unseen = new Set(wanted);
  for (const path of [files.ipv4, files.ipv6]) {
    if (unseen.size === 0) break;
    for await (const { key } of keyedLines(path)) {
      if (unseen.delete(key) && unseen.size === 0) break;
    }
  }
  return [...unseen];
}

/**
 * The rows whose key is wanted, with neighbours of the same key that touch joined into one range
 * (the data splits ranges where a source boundary fell; the caller need not see that).
 */
async function* matchingRanges(files: GeoDataFiles, wanted: ReadonlySet<string>): AsyncGenerator<KeyedRange> {
  for (const [family, path] of [
    [4, files.ipv4],
    [6, files.ipv6],
  ] as const) {
    let pending: KeyedRange | undefined;
    const limit = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    for await (const { line, key, end } of keyedLines(path)) {
      if (!wanted.has(key)) continue;
      const comma = line.indexOf(",");
      let first: bigint;
      let last: bigint;
      try {
        first = BigInt(line.slice(0, comma));
        last = BigInt(line.slice(comma + 1, end));
      } catch {
        throw new InputError(`${path}: not a numeric range: ${JSON.stringify(line.slice(0, 120))}`);
      }
      if (first > last || last > limit || first < 0n) {
        throw new InputError(`${path}: bad range: ${JSON.stringify(line.slice(0, 120))}`);
      }
      if (pending && pending.key === key && pending.last + 1n === first) {
        pending.last = last;
        continue;
      }
      if (pending) yield pending;
      pending = { family, first, last, key };
    }
    if (pending) yield pending;
  }
}
