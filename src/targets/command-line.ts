/**
 * Targets given on the command line or in `-i` files (one a line, `#` comments): IPv4/IPv6
 * addresses, CIDRs (expanded lazily, so a /8 is never held in memory) and host names (resolved
 * to all their addresses). Everything is checked before the scan starts, so bad input fails
 * with one line and nothing half-written.
 */

import { lookup } from "node:dns/promises";
import { createReadStream } from "node:fs";
import { access, constants } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type Cidr, cidrAddresses, cidrSize, InputError, isIpAddress, parseCidr } from "../scan/cidr.js";

export interface Target {
  ip: string;
  /** the host name the target was given as */
  name?: string | null;
}

type Spec = { kind: "cidr"; cidr: Cidr } | { kind: "name"; name: string };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

export function parseTargetSpec(text: string, where?: string): Spec {
  const t = text.trim();
  const at = where ? `${where}: ` : "";
  if (t.includes("/") || isIpAddress(t)) {
    try {
      return { kind: "cidr", cidr: parseCidr(t) };
    } catch (error) {
      throw new InputError(`${at}${(error as Error).message}`);
    }
  }
  // Something that looks like a broken address is an error, not a host name to look up.
  if (/^[\d.]+$/.test(t) || t.includes(":") || !HOST_NAME.test(t)) {
    throw new InputError(`${at}not an IP address, CIDR or host name: ${JSON.stringify(t)}`);
  }
  return { kind: "name", name: t };
}

/** The meaningful lines of a targets file with their line numbers. */
export async function* fileLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const reader = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const raw of reader) {
    line += 1;
    const text = raw.replace(/#.*/, "").trim();
    if (text !== "") yield { text, line };
  }
}

export interface TargetSources {
  args: readonly string[];
  files: readonly string[];
}

/**
 * Checks every source; returns how many addresses they hold (names count as one each), so the
 * progress bar has a total. Throws InputError naming the file and line of the first problem.
 */
export async function checkTargets(sources: TargetSources): Promise<bigint> {
  let total = 0n;
  const count = (spec: Spec) => (spec.kind === "cidr" ? cidrSize(spec.cidr) : 1n);
  for (const arg of sources.args) total += count(parseTargetSpec(arg));
  for (const file of sources.files) {
    try {
      await access(file, constants.R_OK);
    } catch {
      throw new InputError(`cannot read targets file ${file}`);
    }
    for await (const { text, line } of fileLines(file))
      total += count(parseTargetSpec(text, `${file}:${line}`));
  }
  if (total === 0n) throw new InputError("no targets: give addresses, CIDRs or host names, or -i FILE");
  return total;
}

/** Every target address, in the order given. */
export async function* streamTargets(sources: TargetSources): AsyncGenerator<Target> {
  for (const arg of sources.args) yield* expand(parseTargetSpec(arg));
  for (const file of sources.files) {
    for await (const { text, line } of fileLines(file))
      yield* expand(parseTargetSpec(text, `${file}:${line}`));
  }
}

async function* expand(spec: Spec): AsyncGenerator<Target> {
  if (spec.kind === "cidr") {
    for (const ip of cidrAddresses(spec.cidr)) yield { ip };
    return;
  }
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(spec.name, { all: true, verbatim: true });
  } catch (error) {
    process.stderr.write(
      `smtpsurvey: cannot resolve ${spec.name}: ${(error as NodeJS.ErrnoException).code ?? error}\n`,
    );
    return;
  }
  const seen = new Set<string>();
  for (const { address } of addresses) {
    if (seen.has(address)) continue;
    seen.add(address);
    yield { ip: address, name: spec.name };
  }
}
