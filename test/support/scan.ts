/** Test entry point to the engine: scan a few endpoints, get their records back. */

import { DNS_IP } from "../../lab/dns.js";
import { Scope } from "../../src/core/scope.js";
import { protocolNamed } from "../../src/protocols/registry.js";
import { ENGINE_DEFAULTS, type EngineOptions, runScan } from "../../src/scan/engine.js";
import type { ScanRecord } from "../../src/store/schema.js";

export interface ScanOverrides {
  replyTimeoutMs?: number;
  connectTimeoutMs?: number;
  sessionTimeoutMs?: number;
  starttls?: "auto" | "always" | "never";
  probes?: string[];
  scope?: string[];
  concurrency?: number;
  perIpConcurrency?: number;
  perIpRate?: number;
  perPrefixRate?: number;
  prefixBits?: number;
  live?: EngineOptions["live"];
  ehloName?: string;
  /** DNS servers for PTR lookups: the lab's by default, so no query ever leaves loopback */
  resolvers?: string[];
}

export async function scanEndpoints(
  endpoints: Array<{ ip: string; port: number; protocol?: string }>,
  overrides: ScanOverrides = {},
): Promise<ScanRecord[]> {
  const options: EngineOptions = {
    ...ENGINE_DEFAULTS,
    scope: Scope.parse((overrides.scope ?? ["127.77.0.0/16"]).join(",")),
    concurrency: overrides.concurrency ?? ENGINE_DEFAULTS.concurrency,
    perIpConcurrency: overrides.perIpConcurrency ?? 16,
    perIpRate: overrides.perIpRate ?? 0,
    ...(overrides.perPrefixRate !== undefined ? { perPrefixRate: overrides.perPrefixRate } : {}),
    ...(overrides.prefixBits !== undefined ? { prefixBits: overrides.prefixBits } : {}),
    ...(overrides.live ? { live: overrides.live } : {}),
    connectTimeoutMs: overrides.connectTimeoutMs ?? 5000,
    sessionTimeoutMs: overrides.sessionTimeoutMs ?? 60_000,
    resolvers: overrides.resolvers ?? [DNS_IP],
    protocol: {
      ehloName: overrides.ehloName ?? "scanner.smtpsurvey.test",
      starttls: overrides.starttls ?? "auto",
      replyTimeoutMs: overrides.replyTimeoutMs ?? 10_000,
      probes: overrides.probes ?? [],
    },
  };
  const records: ScanRecord[] = [];
  async function* jobs() {
    for (const e of endpoints) yield { ip: e.ip, port: e.port, protocol: e.protocol ?? "smtp" };
  }
  await runScan(jobs(), protocolNamed, options, (record) => {
    records.push(record);
  });
  const key = (r: { ip: string; port: number }) => `${r.ip}:${r.port}`;
  const order = new Map(endpoints.map((e, i) => [key(e), i]));
  return records.sort((a, b) => (order.get(key(a)) ?? 0) - (order.get(key(b)) ?? 0));
}
