/**
 * The target options `targets`, `grab` and `survey` share (docs/targets.md): the same flags
 * build the same stream, so a pipeline can write targets to a file or scan them directly.
 */
import { isIP } from "node:net";
import type { Command } from "commander";
import type { Scope } from "../core/scope.js";
import type { MxFailure } from "../targets/mx-failures.js";
import type { TargetOptions } from "../targets/plan.js";
import { parseShard } from "../targets/shard.js";
import { positiveInteger, seconds, usageError } from "./errors.js";
import { inputFilesOption, resolverOption } from "./shared-options.js";

export interface TargetFlags {
  input: string[];
  country: string[];
  asn: string[];
  domains?: string;
  resolver?: string;
  dnsConcurrency: string;
  dnsRate: string;
  dnsTimeout: string;
  dnsRetries: string;
  mmdb?: string;
  sample?: string;
  seed?: string;
  shard?: string;
  exclude: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function addTargetOptions(command: Command): Command {
  return command
    .addOption(
      inputFilesOption("targets file: plain (one a line, # comments), zmap CSV or zgrab2 CSV (repeatable)"),
    )
    .option("--country <CC>", "every address of a country, ISO 3166 code (repeatable, or CC,CC)", collect, [])
    .option("--asn <N>", "every address an autonomous system announces (repeatable, or N,N)", collect, [])
    .option(
      "--domains <file>",
      "mail domains to resolve to their MX hosts' addresses (plain, or CSV domain,category)",
    )
    .addOption(resolverOption())
    .option("--dns-concurrency <n>", "domains resolved at once", "100")
    .option("--dns-rate <n>", "DNS queries per second, 0 = unlimited", "0")
    .option("--dns-timeout <seconds>", "first try's timeout per DNS query", "2")
    .option("--dns-retries <n>", "retries after a DNS timeout", "2")
    .option("--mmdb <file>", "a MaxMind-format database: annotate targets and records with country and ASN")
    .option("--sample <n>", "pick N distinct addresses uniformly from the address sources")
    .option("--seed <text>", "the sample's seed: the same seed gives the same sample", "smtpsurvey")
    .option("--shard <I/N>", "keep part I of N (0-based, like zmap) of the targets, disjoint across I")
    .option(
      "--exclude <file>",
      "an opt-out list of addresses and CIDRs, zmap blocklist format (repeatable)",
      collect,
      [],
    );
}

export function resolverServers(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const servers = list.split(",").map((s) => s.trim());
  for (const server of servers) {
    const host = /^\[(.+)\](?::\d+)?$/.exec(server)?.[1] ?? server.replace(/:\d+$/, "");
    if (isIP(host) === 0 && isIP(server) === 0)
      usageError(`--resolver takes IP or IP:PORT addresses, not ${JSON.stringify(server)}`);
  }
  return servers;
}

export function targetOptionsFrom(
  args: readonly string[],
  flags: TargetFlags,
  scope: Scope | undefined,
  onMxFailure?: (failure: MxFailure) => void,
): TargetOptions {
  let sample: bigint | undefined;
  if (flags.sample !== undefined) {
    if (!/^\d+$/.test(flags.sample) || BigInt(flags.sample) === 0n)
      usageError(`--sample takes a whole number of addresses, not ${JSON.stringify(flags.sample)}`);
    sample = BigInt(flags.sample);
  }
  return {
    args,
    inputs: flags.input,
    countries: flags.country,
    asns: flags.asn,
    domains: flags.domains,
    dns: {
      servers: resolverServers(flags.resolver),
      concurrency: positiveInteger("--dns-concurrency", flags.dnsConcurrency),
      rate: positiveInteger("--dns-rate", flags.dnsRate, { allowZero: true }),
      timeoutMs: seconds("--dns-timeout", flags.dnsTimeout),
      retries: positiveInteger("--dns-retries", flags.dnsRetries, { allowZero: true }),
    },
    onMxFailure,
    mmdb: flags.mmdb,
    sample,
    seed: flags.seed,
    shard: flags.shard !== undefined ? parseShard(flags.shard) : undefined,
    excludes: flags.exclude,
    scope,
  };
}
