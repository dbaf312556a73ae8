/**
 * The targets of a plan, in order: the address space (walked or sampled), then single targets
 * (host names, zgrab2 rows, domains → MX → addresses), each checked against the exclusions and
 * the shard and seen once.
 */
import { lookup } from "node:dns/promises";
import type { Target } from "../core/target.js";
import { parseAddressValue } from "./address-value.js";
import { Deduper } from "./dedupe.js";
import { readDomainFile } from "./domain-file.js";
import type { Exclusion } from "./exclusions.js";
import { type FileTarget, readFormattedTargets, type TargetFields } from "./input-formats.js";
import type { MxResolver } from "./mx-resolver.js";
import { spaceAddresses } from "./plan-space.js";
import { type AddressSpace, RangeSet, spaceSize } from "./range-set.js";
import type { Sample } from "./sample.js";
import { inShard, type Shard } from "./shard.js";
import type { Annotator } from "./target-annotator.js";

export interface StreamInputs {
  /** the address space after exclusions */
  kept: AddressSpace;
  sample: Sample | null;
  walkV6: boolean;
  names: readonly string[];
  zgrab2Files: readonly string[];
  /** the --domains file and a fresh MX resolver for each pass over it; null without --domains */
  domains: { file: string; resolver: () => MxResolver } | null;
  exclusion: Exclusion;
  shard: Shard | undefined;
  annotate: Annotator;
}

/** A single target after the exclusions and the shard, annotated; null when it is dropped. */
type Admit = (target: Target) => Target | null;

export async function* streamTargets(inputs: StreamInputs): AsyncGenerator<Target> {
  // a plain loop, not yield*: millions of addresses should not each cross an async-from-sync wrapper
  for (const target of spaceTargets(inputs)) yield target;
  yield* streamSingles(inputs);
}

/** The space's part alone (what a space descriptor stands for, src/targets/space-descriptor.ts). */
export async function* streamSpace(inputs: StreamInputs): AsyncGenerator<Target> {
  for (const target of spaceTargets(inputs)) yield target;
}

/** The single targets alone, after the space: host names, zgrab2 rows, domains → MX. */
export async function* streamSingles(inputs: StreamInputs): AsyncGenerator<Target> {
  const admit = admitter(inputs);
  yield* nameTargets(inputs, admit);
  yield* zgrab2Targets(inputs.zgrab2Files, admit);
  if (inputs.domains) yield* domainTargets(inputs.domains, admit);
}

/** The space's addresses are already past the exclusions: only the shard is checked. */
function* spaceTargets({ kept, sample, walkV6, shard, annotate }: StreamInputs): Generator<Target> {
  for (const ip of spaceAddresses(kept, sample, walkV6)) if (isMine(ip, shard)) yield annotate({ ip });
}

function admitter({ exclusion, shard, annotate }: StreamInputs): Admit {
  return (target) => {
    if (exclusion.drops(target.ip) !== undefined || !isMine(target.ip, shard)) return null;
    return annotate(target);
  };
}

/** A host name's addresses, each once and only if the address space did not stream it already. */
async function* nameTargets({ kept, names }: StreamInputs, admit: Admit): AsyncGenerator<Target> {
  const seen = new Deduper();
  const spaceHoldsAny = spaceSize(kept) > 0n;
  for (const name of names) {
    for (const ip of await resolveName(name)) {
      if (spaceHoldsAny && inSpace(kept, ip)) continue;
      if (seen.seen(ip)) continue;
      const target = admit({ ip, name });
      if (target) yield target;
    }
  }
}

/** Each zgrab2 row's addresses with the row's fields, each (address, port, name) once. */
async function* zgrab2Targets(files: readonly string[], admit: Admit): AsyncGenerator<Target> {
  const seen = new Set<string>();
  for (const path of files) {
    for await (const row of readFormattedTargets(path, "zgrab2")) {
      const fields = rowFields(row);
      for (const ip of await rowAddresses(row)) {
        const key = `${ip} ${fields.port ?? ""} ${fields.name ?? ""}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const target = admit({ ...fields, ip });
        if (target) yield target;
      }
    }
  }
}

function rowFields(row: FileTarget): TargetFields {
  // an address row's own ip comes along too; every target made from it sets ip again
  if (row.kind === "address") return row.target;
  if (row.kind === "cidr") return row.fields;
  return { ...row.fields, name: row.name };
}

async function rowAddresses(row: FileTarget): Promise<Iterable<string>> {
  if (row.kind === "address") return [row.target.ip];
  if (row.kind === "cidr")
    return new RangeSet(row.cidr.address.kind() === "ipv4" ? 4 : 6).addCidr(row.cidr).addresses();
  return resolveName(row.name);
}

async function* domainTargets(
  domains: NonNullable<StreamInputs["domains"]>,
  admit: Admit,
): AsyncGenerator<Target> {
  // each (domain, MX, address) is kept, so per-domain market share can be told later
  for await (const target of domains.resolver().resolveAll(readDomainFile(domains.file))) {
    const admitted = admit(target);
    if (admitted) yield admitted;
  }
}

function isMine(ip: string, shard: Shard | undefined): boolean {
  return !shard || inShard(ip, shard);
}

function inSpace(space: AddressSpace, ip: string): boolean {
  const { family, value } = parseAddressValue(ip);
  return family === 4 ? space.v4.containsNumber(Number(value)) : space.v6.contains(value);
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
