/**
 * Reading every target source once, before anything is streamed: addresses and CIDRs (from the
 * command line, plain and zmap files, countries and ASNs) go into one address space; host names
 * and zgrab2 rows are kept aside to be resolved and streamed later. Bad input fails here, as an
 * InputError, so nothing is half-written.
 */
import { parseCidr } from "../core/cidr.js";
import type { InputFormat } from "../core/targets-meta.js";
import { fileLines, parseTargetSpec } from "./command-line.js";
import { asnRanges, countryRanges, parseAsn } from "./geo-prefixes.js";
import { detectInputFormat, readFormattedTargets } from "./input-formats.js";
import { RangeLabels } from "./range-labels.js";
import { type AddressSpace, emptySpace } from "./range-set.js";
import { readableFile } from "./readable-file.js";

export interface SourceOptions {
  args: readonly string[];
  inputs: readonly string[];
  countries: readonly string[];
  asns: readonly string[];
}

export interface TargetSources {
  /** addresses and CIDRs of every source, before exclusions */
  space: AddressSpace;
  /** host names from the command line and plain files, resolved when streamed */
  names: string[];
  /** every -i file as given, with the format detected */
  files: Array<{ path: string; format: InputFormat }>;
  /** zgrab2 files (the spooled copy for a pipe), streamed a second time */
  zgrab2Files: string[];
  /** rows in the zgrab2 files (each carries its own port, tag and name) */
  zgrab2Rows: bigint;
  /** --country codes, upper-case, each once */
  countries: string[];
  /** --asn numbers, each once */
  asns: number[];
  /** which country each --country range came from */
  byCountry: RangeLabels<string>;
  /** which AS each --asn range came from */
  byAsn: RangeLabels<number>;
}

/** Every source read and checked, in the order errors should be reported. */
export async function readSources(options: SourceOptions): Promise<TargetSources> {
  const sources: TargetSources = {
    space: emptySpace(),
    names: [],
    files: [],
    zgrab2Files: [],
    zgrab2Rows: 0n,
    countries: [],
    asns: [],
    byCountry: new RangeLabels(),
    byAsn: new RangeLabels(),
  };
  readCommandLine(options.args, sources);
  for (const given of options.inputs) await readInputFile(given, sources);
  sources.countries = uniqueCountries(options.countries);
  sources.asns = uniqueAsns(options.asns);
  await readCountryRanges(sources);
  await readAsnRanges(sources);
  return sources;
}

function readCommandLine(args: readonly string[], sources: TargetSources): void {
  for (const arg of args) {
    const spec = parseTargetSpec(arg);
    if (spec.kind === "cidr") addCidr(sources.space, spec.cidr.text);
    else sources.names.push(spec.name);
  }
}

async function readInputFile(given: string, sources: TargetSources): Promise<void> {
  const path = await readableFile(given);
  const format = await detectInputFormat(path);
  sources.files.push({ path: given, format });
  if (format === "plain") await readPlainFile(path, sources);
  else if (format === "zmap") await readZmapFile(path, sources.space);
  else {
    sources.zgrab2Files.push(path);
    sources.zgrab2Rows += await countZgrab2Rows(path);
  }
}

/** One address, CIDR or host name a line, like the command line. */
async function readPlainFile(path: string, sources: TargetSources): Promise<void> {
  for await (const { text, line } of fileLines(path)) {
    const spec = parseTargetSpec(text, `${path}:${line}`);
    if (spec.kind === "cidr") addCidr(sources.space, spec.cidr.text);
    else sources.names.push(spec.name);
  }
}

async function readZmapFile(path: string, space: AddressSpace): Promise<void> {
  for await (const row of readFormattedTargets(path, "zmap"))
    if (row.kind === "address") addCidr(space, row.target.ip);
}

/** zgrab2 rows carry their own port, tag and name: checked and counted now, streamed again later. */
async function countZgrab2Rows(path: string): Promise<bigint> {
  let rows = 0n;
  for await (const _ of readFormattedTargets(path, "zgrab2")) rows += 1n;
  return rows;
}

async function readCountryRanges(sources: TargetSources): Promise<void> {
  for await (const range of countryRanges(sources.countries)) {
    (range.family === 4 ? sources.space.v4 : sources.space.v6).add(range);
    sources.byCountry.add(range.country as string, range);
  }
}

async function readAsnRanges(sources: TargetSources): Promise<void> {
  for await (const range of asnRanges(sources.asns)) {
    (range.family === 4 ? sources.space.v4 : sources.space.v6).add(range);
    sources.byAsn.add(range.asn as number, range);
  }
}

function uniqueCountries(given: readonly string[]): string[] {
  return [...new Set(given.flatMap(splitList).map((c) => c.toUpperCase()))];
}

function uniqueAsns(given: readonly string[]): number[] {
  return [...new Set(given.flatMap(splitList).map(parseAsn))];
}

/** "de, fr,,nl" → ["de", "fr", "nl"]: each option may be given once with a list or many times. */
function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function addCidr(space: AddressSpace, text: string): void {
  const cidr = parseCidr(text);
  (cidr.address.kind() === "ipv4" ? space.v4 : space.v6).addCidr(cidr);
}
