/** One HOST[:PORT] through the engine: what `identify` and `learn` connect with. */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Scope } from "../core/scope.js";
import { protocolForPort, protocolNamed } from "../protocols/registry.js";
import type { ProbePlanner } from "../protocols/types.js";
import { ENGINE_DEFAULTS, runScan } from "../scan/engine.js";
import type { ScanRecord } from "../store/schema.js";
import { usageError } from "./errors.js";

export interface HostPort {
  host: string;
  port: number;
}

/** `host`, `host:port`, `[v6]:port`, or a bare IPv6 address. */
export function parseHostPort(text: string, defaultPort: number): HostPort {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed?.[1]) return { host: bracketed[1], port: portOf(bracketed[2], defaultPort) };
  if (isIP(text) === 6) return { host: text, port: defaultPort };
  const [host, port, extra] = text.split(":");
  if (!host || extra !== undefined) usageError(`not a HOST[:PORT]: ${JSON.stringify(text)}`);
  return { host, port: portOf(port, defaultPort) };
}

function portOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) usageError(`not a port: ${JSON.stringify(text)}`);
  return port;
}

export async function addressOf(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    usageError(`cannot resolve ${host}`);
  }
}

export interface SingleScan {
  scope?: string;
  ip: string;
  port: number;
  name: string | null;
  replyTimeoutMs: number;
  connectTimeoutMs: number;
  /** what EHLO/HELO announces: --ehlo, else ehlo-name.ts's default */
  ehloName: string | null;
  probes: string[];
  probePlanner?: ProbePlanner;
  resolvers?: string[];
}

export function requireScope(scope: string | undefined): Scope {
  if (!scope) {
    usageError(
      "--scope is required for any command that connects: name the CIDRs this command may reach, e.g. --scope 127.77.0.0/16",
    );
  }
  return Scope.parse(scope);
}

export async function scanOne(options: SingleScan): Promise<ScanRecord> {
  const scope = requireScope(options.scope);
  const records: ScanRecord[] = [];
  async function* job() {
    yield { ip: options.ip, port: options.port, protocol: protocolForPort(options.port), name: options.name };
  }
  await runScan(
    job(),
    protocolNamed,
    {
      ...ENGINE_DEFAULTS,
      scope,
      concurrency: 1,
      perIpConcurrency: 1,
      perIpRate: 0,
      connectTimeoutMs: options.connectTimeoutMs,
      resolvers: options.resolvers,
      protocol: {
        ehloName: options.ehloName,
        starttls: "auto",
        replyTimeoutMs: options.replyTimeoutMs,
        probes: options.probes,
        probePlanner: options.probePlanner,
      },
    },
    (record) => {
      records.push(record);
    },
  );
  const [record] = records;
  if (!record) throw new Error("the engine returned no record");
  if (record.status === "out-of-scope")
    usageError(`${options.ip} is outside --scope (${options.scope}); no connection was made`);
  return record;
}
