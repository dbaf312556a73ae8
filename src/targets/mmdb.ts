/**
 * `--mmdb FILE`: country and ASN for each target from a MaxMind-format database, read with the
 * `maxmind` package. Understands the usual layouts:
 *   - GeoLite2/GeoIP2 Country and City: `country.iso_code`, else `registered_country.iso_code`;
 *     Enterprise/Insights also carry `traits.autonomous_system_number`;
 *   - GeoLite2/GeoIP2 ASN: `autonomous_system_number`;
 *   - flat ip-location-db / ipinfo style: `country_code` (or `country` as a string) and `asn`
 *     as a number, "13335" or "AS13335".
 * A file that cannot be read or is not a sound MaxMind DB is an InputError naming the file.
 */
import { readFile } from "node:fs/promises";
import { Reader, type Response } from "maxmind";
import { isIpAddress, parseIp } from "../core/cidr.js";
import { InputError } from "../core/errors.js";

export interface MmdbAnnotation {
  country?: string;
  asn?: number;
}

export interface MmdbDatabase {
  readonly path: string;
  /** the metadata's database_type, e.g. "GeoLite2-Country" */
  readonly databaseType: string;
  readonly ipVersion: 4 | 6;
  /** What the database says about one address; {} when it knows nothing. */
  annotate(ip: string): MmdbAnnotation;
}

const METADATA_MARKER = Buffer.from("abcdef4d61784d696e642e636f6d", "hex"); // "\xAB\xCD\xEFMaxMind.com"
const DATA_SECTION_SEPARATOR = 16;

export async function openMmdb(path: string): Promise<MmdbDatabase> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new InputError(`cannot read MaxMind database ${path} (${code})`);
  }
  const unusable = (why: string) => new InputError(`${path} is not a usable MaxMind database: ${why}`);
  if (buffer[0] === 0x1f && buffer[1] === 0x8b) throw unusable("it is gzip-compressed; gunzip it first");
  // mmdb-lib's own search for the marker returns a nonsense offset when there is none, so look first.
  const markerAt = buffer.lastIndexOf(METADATA_MARKER);
  if (markerAt < 0) throw unusable("no metadata marker (corrupt, truncated, or another format)");

  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(buffer);
  } catch (error) {
    throw unusable(`bad metadata (${(error as Error).message})`);
  }
  const { ipVersion, nodeCount, searchTreeSize, databaseType } = reader.metadata;
  if (ipVersion !== 4 && ipVersion !== 6) throw unusable(`bad metadata (ip_version ${ipVersion})`);
  if (!Number.isInteger(nodeCount) || nodeCount <= 0)
    throw unusable(`bad metadata (node_count ${nodeCount})`);
  // mmdb-lib trusts the tree: a truncated or spliced file would read past its end at lookup time.
  if (searchTreeSize + DATA_SECTION_SEPARATOR > markerAt) {
    throw unusable("the search tree is longer than the file (truncated?)");
  }
  if (buffer.subarray(searchTreeSize, searchTreeSize + DATA_SECTION_SEPARATOR).some((b) => b !== 0)) {
    throw unusable("no data section separator after the search tree");
  }
  // mmdb-lib reads a cut-off metadata map without complaint (short reads past the end of a Buffer).
  if (encodedEnd(buffer, markerAt + METADATA_MARKER.length) > buffer.length) {
    throw unusable("the metadata runs past the end of the file (truncated?)");
  }

  return {
    path,
    databaseType: typeof databaseType === "string" ? databaseType : "unknown",
    ipVersion,
    annotate(ip: string): MmdbAnnotation {
      if (!isIpAddress(ip)) throw new InputError(`not an IP address: ${JSON.stringify(ip)}`);
      const address = parseIp(ip); // IPv4-mapped IPv6 becomes IPv4, which the tree keeps at ::/96
      if (address.kind() === "ipv6" && ipVersion === 4) return {};
      let record: unknown;
      try {
        record = reader.get(address.toString());
      } catch (error) {
        throw unusable(`lookup of ${ip} failed (${(error as Error).message})`);
      }
      return annotationOf(record);
    },
  };
}

/**
 * Where the data-section value at `offset` ends (format spec, "Data Section"): control byte,
 * optional extended type byte and size bytes, then the payload or, for maps and arrays, the
 * members. Only used on the metadata map, to tell a whole file from a cut-off one.
 */
function encodedEnd(buffer: Buffer, start: number): number {
  let offset = start;
  const byteAt = (at: number): number => buffer[at] ?? 0;
  const control = byteAt(offset++);
  let type = control >> 5;
  if (type === 1) return offset + ((control >> 3) & 3) + 1; // pointer: 1-4 more bytes
  if (type === 0) type = 7 + byteAt(offset++);
  let size = control & 0x1f;
  if (size === 29) size = 29 + byteAt(offset++);
  else if (size === 30) {
    size = 285 + byteAt(offset) * 256 + byteAt(offset + 1);
    offset += 2;
  } else if (size === 31) {
    size = 65821 + byteAt(offset) * 65536 + byteAt(offset + 1) * 256 + byteAt(offset + 2);
    offset += 3;
  }
  if (type === 7 || type === 11) {
    const members = type === 7 ? size * 2 : size;
    for (let i = 0; i < members && offset <= buffer.length; i++) offset = encodedEnd(buffer, offset);
    return offset;
  }
  if (type === 14) return offset; // boolean: the value is the size
  return offset + size;
}

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function field(record: Fields, ...path: string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (!isFields(value)) return undefined;
    value = value[key];
  }
  return value;
}

function countryCode(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : undefined;
}

function asnNumber(value: unknown): number | undefined {
  if (typeof value === "number")
    return Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^(?:AS)?(\d{1,10})$/i.exec(value.trim());
  const asn = match ? Number(match[1]) : Number.NaN;
  return asn <= 0xffffffff ? asn : undefined;
}

/** The country and ASN of one record, whichever layout it has. */
export function annotationOf(record: unknown): MmdbAnnotation {
  if (!isFields(record)) return {};
  const country =
    countryCode(field(record, "country", "iso_code")) ??
    countryCode(field(record, "registered_country", "iso_code")) ??
    countryCode(record.country_code) ??
    countryCode(record.country);
  const asn =
    asnNumber(record.autonomous_system_number) ??
    asnNumber(field(record, "traits", "autonomous_system_number")) ??
    asnNumber(record.asn);
  return { ...(country ? { country } : {}), ...(asn !== undefined ? { asn } : {}) };
}
