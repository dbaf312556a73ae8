/**
 * `smtpsurvey export --format sftcd RUN -o records.fresh`: a run's records as the key-reuse
 * survey's records.fresh (one line per address, its ports as `pNNN`, sftcd-port.ts), and beside
 * it collisions.json from smtpsurvey's clusters (collisions.ts), so that the old scripts can run
 * on a new survey. Lines are in address order; `ip_record` in collisions.json is the line's index.
 *
 * Records are gathered per address in memory (a run's records.jsonl is in grab order, not by
 * address): O(records) memory, a few KB per record.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { canonicalAddress } from "../analysis/address-ids.js";
import { clustersOf } from "../analysis/clusters.js";
import { parseIp } from "../core/cidr.js";
import { TOOL_VERSION } from "../core/version.js";
import type { ScanRecord } from "../protocols/record.js";
import { readRecords } from "../store/read-records.js";
import { writeFileAtomic } from "../store/run-dir.js";
import { collisionEntries, collisionsJson, type HostLine } from "./collisions.js";
import { sftcdPort } from "./sftcd-port.js";

export interface SftcdExportStats {
  hosts: number;
  records: number;
  collisions: number;
  collisionsPath: string;
}

export async function exportSftcd(recordsPath: string, output: string): Promise<SftcdExportStats> {
  const byIp = new Map<string, ScanRecord[]>();
  let records = 0;
  for await (const record of readRecords(recordsPath)) {
    records += 1;
    const ip = canonicalAddress(record.ip, `${recordsPath}: record for port ${record.port}`);
    const list = byIp.get(ip);
    if (list) list.push(record);
    else byIp.set(ip, [record]);
  }
  const ips = [...byIp.keys()].sort(compareAddresses);
  const hosts = new Map<string, HostLine>();
  const lines: string[] = [];
  let average = 0;
  ips.forEach((ip, index) => {
    const own = (byIp.get(ip) as ScanRecord[]).sort((a, b) => a.port - b.port);
    const line: Record<string, unknown> = { ip, writer: "FreshGrab.py", smtpsurvey: TOOL_VERSION };
    const measured = own.filter((r) => r.duration_ms !== null);
    const duration = measured.length
      ? measured.reduce((s, r) => s + (r.duration_ms as number), 0) / 1000
      : null;
    if (duration !== null) {
      // FreshGrab's running mean of seconds per address
      average += (duration - average) / (index + 1);
      Object.assign(line, { duration, average });
    }
    const keys = new Map<number, string[]>();
    for (const record of own) {
      line[`p${record.port}`] = sftcdPort(record);
      const spkis = [
        record.tls?.chain[0]?.spki_sha256,
        ...(record.ssh?.host_keys ?? []).map((k) => k.spki_sha256),
      ];
      const present = spkis.filter((s): s is string => typeof s === "string");
      if (present.length) keys.set(record.port, present);
    }
    hosts.set(ip, { ip, ipRecord: index, asn: own.find((r) => r.asn !== undefined)?.asn ?? null, keys });
    lines.push(JSON.stringify(line));
  });
  const clusters = await clustersOf(readRecords(recordsPath));
  const entries = collisionEntries(clusters, hosts);
  const collisionsPath = join(dirname(output), "collisions.json");
  mkdirSync(dirname(output), { recursive: true });
  writeFileAtomic(output, lines.length ? `${lines.join("\n")}\n` : "");
  writeFileAtomic(collisionsPath, collisionsJson(entries));
  return { hosts: ips.length, records, collisions: entries.length, collisionsPath };
}

/** IPv4 before IPv6, each numerically */
function compareAddresses(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (x.kind() !== y.kind()) return x.kind() === "ipv4" ? -1 : 1;
  const xa = x.toByteArray();
  const ya = y.toByteArray();
  for (let i = 0; i < xa.length; i++) if (xa[i] !== ya[i]) return (xa[i] as number) - (ya[i] as number);
  return 0;
}
