/**
 * Every option more than one command takes, defined once: the same spelling, the same short
 * flag, the same default and the same words in every command's --help (docs/cli.md's table).
 * Factories, not shared objects: commander keeps each Option in the command that adds it.
 */
import { Option } from "commander";
import { ENGINE_DEFAULTS } from "../scan/engine.js";

/** The defaults of the shared options, in the units the flags take (seconds, counts). */
export const OPTION_DEFAULTS = {
  concurrency: ENGINE_DEFAULTS.concurrency,
  /** the grab's: tarpits wait 8–32 s on purpose before replying */
  replyTimeoutSeconds: 20,
  connectTimeoutSeconds: ENGINE_DEFAULTS.connectTimeoutMs / 1000,
  sessionTimeoutSeconds: ENGINE_DEFAULTS.sessionTimeoutMs / 1000,
} as const;

const collect = (value: string, previous: string[]) => [...previous, value];
const increase = (_: string, previous: number) => previous + 1;

export const concurrencyOption = () =>
  new Option("-c, --concurrency <n>", "sessions in flight at most").default(
    String(OPTION_DEFAULTS.concurrency),
  );

export const replyTimeoutOption = () =>
  new Option(
    "-t, --timeout <seconds>",
    "reply timeout, from a command (or the connect) to the reply's last line",
  ).default(String(OPTION_DEFAULTS.replyTimeoutSeconds));

export const connectTimeoutOption = () =>
  new Option("--connect-timeout <seconds>", "TCP connect timeout").default(
    String(OPTION_DEFAULTS.connectTimeoutSeconds),
  );

export const sessionTimeoutOption = () =>
  new Option("--session-timeout <seconds>", "cap on one connection's whole life").default(
    String(OPTION_DEFAULTS.sessionTimeoutSeconds),
  );

/** No commander default: the machine's name is looked up only when a command connects (ehlo-name.ts). */
export const ehloOption = () =>
  new Option(
    "--ehlo <name>",
    "the name announced in EHLO/HELO (default: the machine's FQDN, else the address literal of the connection's own end, such as [192.0.2.1])",
  );

export const scopeOption = (
  meaning = "the CIDRs this command may connect to (required for anything that connects)",
) => new Option("--scope <cidrs>", meaning);

export const resolverOption = (
  meaning = "DNS servers, IP or IP:PORT, comma list, for MX and PTR lookups (default: the machine's)",
) => new Option("--resolver <servers>", meaning);

export const quietOption = () =>
  new Option("-q, --quiet", "no progress line and no notes on stderr (errors and warnings still print)");

export const outputOption = (meaning: string) => new Option("-o, --output <path>", meaning);

/** Repeatable -i: each file adds to what the command reads (targets, or records for identify). */
export const inputFilesOption = (meaning: string) =>
  new Option("-i, --input <file>", meaning).argParser(collect).default([]);

export const verboseOption = (meaning: string) =>
  new Option("-v, --verbose", meaning).argParser(increase).default(0);

export const portsOption = () =>
  new Option("-p, --ports <list>", "ports: 25,465,587 or 2501-2511; PORT:PROTOCOL picks a protocol");

export const mxFailuresOption = () =>
  new Option(
    "--mx-failures <file>",
    "with --domains: where domains that gave no address go, with a reason (default OUT.mx-failures.jsonl)",
  );

/** The distributed engine's database (docs/distributed.md). */
export const engineOption = () =>
  new Option("--engine <url>", "the PostgreSQL database that holds the runs: postgres://USER@HOST:PORT/DB");
