/** The scan options `grab` and `survey` share, and the engine settings they make. */

import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { DEFAULT_PREFIX_BITS } from "../core/prefix.js";
import { Scope } from "../core/scope.js";
import { loadModel } from "../fingerprint/model.js";
import { protocolNames } from "../protocols/registry.js";
import { loadProbes } from "../protocols/smtp/probe-catalogue.js";
import { ENGINE_DEFAULTS } from "../scan/engine.js";
import { type EngineRecipe, engineOptions } from "../survey/engine-recipe.js";
import { plannerFor } from "../survey/probe-planning.js";
import type { ScanSettings } from "../survey/scan-settings.js";
import { parsePorts } from "../targets/ports.js";
import { ehloName } from "./ehlo-name.js";
import { positiveInteger, seconds, usageError } from "./errors.js";
import {
  concurrencyOption,
  connectTimeoutOption,
  ehloOption,
  portsOption,
  quietOption,
  replyTimeoutOption,
  scopeOption,
  sessionTimeoutOption,
} from "./shared-options.js";

export interface ScanFlags {
  /** false with --no-transcripts */
  transcripts?: boolean;
  ports?: string;
  scope?: string;
  concurrency: string;
  rate: string;
  perIp: string;
  perIpRate: string;
  perPrefixRate?: string;
  timeout: string;
  connectTimeout: string;
  sessionTimeout: string;
  /** unset: the machine's FQDN, else each connection's address literal (ehlo-name.ts) */
  ehlo?: string;
  starttls: string;
  /** false with --no-pipelining */
  pipelining?: boolean;
  probes: string;
  resume?: boolean;
  quiet?: boolean;
  workers: string;
}

export function addScanOptions(command: Command): Command {
  return command
    .addOption(portsOption())
    .addOption(scopeOption("the CIDRs this scan may connect to (required)"))
    .addOption(concurrencyOption())
    .option("--rate <n>", "new connections per second over the whole scan, 0 = unlimited", "0")
    .option("--per-ip <n>", "connections at once to one IP", String(ENGINE_DEFAULTS.perIpConcurrency))
    .option(
      "--per-ip-rate <n>",
      "new connections per second to one IP, 0 = unlimited",
      String(ENGINE_DEFAULTS.perIpRate),
    )
    .option(
      "--per-prefix-rate <n[/bits]>",
      "new connections per second to each IPv4 /bits (24 if not given) and each IPv6 /(bits + 24), e.g. 20/24; held across engine threads and distributed workers",
    )
    .addOption(replyTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(sessionTimeoutOption())
    .addOption(ehloOption())
    .option("--starttls <mode>", "auto (when advertised), always, never", "auto")
    .option(
      "--no-pipelining",
      "send HELP and QUIT one round trip each even to a server that offers PIPELINING (RFC 2920)",
    )
    .option(
      "--probes <list>",
      "probe sessions to run after the main one (comma list, 'all' or 'none')",
      "none",
    )
    .option(
      "-w, --workers <n>",
      "engine threads on disjoint shares of the targets (an address belongs to one); -c and --rate are totals",
      String(availableParallelism()),
    )
    .option("--no-transcripts", "leave each record's transcript empty (about a third of a record's size)")
    .option("--resume", "continue an interrupted run")
    .addOption(quietOption());
}

/** Checks the scan flags (InputError on any problem) before anything is written. */
export async function scanSettings(flags: ScanFlags, identify: boolean): Promise<ScanSettings> {
  if (!flags.scope) {
    usageError(
      "--scope is required for any command that connects: name the CIDRs this scan may reach, e.g. --scope 127.77.0.0/16",
    );
  }
  const scope = Scope.parse(flags.scope);
  if (!flags.ports) usageError("-p/--ports is required, e.g. -p 25,465,587");
  const ports = parsePorts(flags.ports, protocolNames());
  if (!["auto", "always", "never"].includes(flags.starttls))
    usageError(`--starttls takes auto, always or never, not ${flags.starttls}`);
  const probes = probeNames(flags.probes);
  const limits = {
    concurrency: positiveInteger("-c/--concurrency", flags.concurrency),
    rate: positiveInteger("--rate", flags.rate, { allowZero: true }),
    perIpConcurrency: positiveInteger("--per-ip", flags.perIp),
    perIpRate: positiveInteger("--per-ip-rate", flags.perIpRate, { allowZero: true }),
    ...perPrefixRate(flags.perPrefixRate),
    connectTimeoutMs: seconds("--connect-timeout", flags.connectTimeout),
    sessionTimeoutMs: seconds("--session-timeout", flags.sessionTimeout),
    transcripts: flags.transcripts !== false,
  };
  const replyTimeoutMs = seconds("-t/--timeout", flags.timeout);
  const workers = positiveInteger("-w/--workers", flags.workers);
  const ehlo = await ehloName(flags.ehlo);
  const model = identify ? loadModel() : null;
  const planner = model ? plannerFor(model) : undefined;
  const recipe = (resolvers: string[] | undefined): EngineRecipe => ({
    scope: flags.scope as string,
    limits,
    protocol: {
      ehloName: ehlo,
      starttls: flags.starttls as EngineRecipe["protocol"]["starttls"],
      pipelining: flags.pipelining !== false,
      replyTimeoutMs,
      probes,
    },
    identify,
    ...(resolvers ? { resolvers } : {}),
  });
  return {
    scope,
    ports,
    model,
    workers,
    recipe,
    engine: (signal, resolvers) => engineOptions(recipe(resolvers), planner, signal),
  };
}

/** `--per-prefix-rate N[/bits]`: N new connections per second to each prefix of that length. */
export function perPrefixRate(text: string | undefined): { perPrefixRate?: number; prefixBits?: number } {
  if (text === undefined) return {};
  const match = /^(\d+)(?:\/(\d+))?$/.exec(text.trim());
  const bits = Number(match?.[2] ?? DEFAULT_PREFIX_BITS);
  if (!match || bits < 8 || bits > 32)
    usageError(
      `--per-prefix-rate takes N or N/BITS with 8 ≤ BITS ≤ 32, e.g. 20/24, not ${JSON.stringify(text)}`,
    );
  const rate = positiveInteger("--per-prefix-rate", match[1] as string, { allowZero: true });
  return rate > 0 ? { perPrefixRate: rate, prefixBits: bits } : {};
}

function probeNames(list: string): string[] {
  const catalogue = loadProbes();
  if (list === "none" || list === "") return [];
  if (list === "all") return [...catalogue.keys()];
  const names = list.split(",").map((s) => s.trim());
  for (const name of names) {
    if (!catalogue.has(name))
      usageError(`unknown probe ${JSON.stringify(name)} (known: ${[...catalogue.keys()].join(", ")})`);
  }
  return names;
}

export type { ScanSettings };
