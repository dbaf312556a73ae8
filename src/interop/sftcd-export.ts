/**
 * `smtpsurvey export --format sftcd RUN -o records.fresh`: a run's records as the key-reuse
 * survey's records.fresh (one line per address, its ports as `pNNN`, sftcd-port.ts), and beside
 * it collisions.json from smtpsurvey's clusters (collisions.ts), so that the old scripts can run
 * on a new survey. Lines are in address order; `ip_record` in collisions.json is the line's index.
 *
 * Memory: the clusters, three numbers per record and one address's records at a time
 * (indexByAddress), and what collisions.json says of the hosts in clusters.
 */
import { once } from "node:events";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { canonicalAddress } from "../analysis/address-ids.js";
import { clustersOf } from "../analysis/clusters.js";
import { parseIp } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import { TOOL_VERSION } from "../core/version.js";
import type { ScanRecord } from "../protocols/record.js";
import { parseRecordLine, readRecords } from "../store/read-records.js";
import { writeFileAtomic } from "../store/run-dir.js";
import { collisionEntries, collisionsJson, type HostLine } from "./collisions.js";
import { nameset, portAnalysis, primaryKey, sftcdPort } from "./sftcd-port.js";

export interface SftcdExportStats {
  hosts: number;
  records: number;
  collisions: number;
  collisionsPath: string;
}

export async function exportSftcd(recordsPath: string, output: string): Promise<SftcdExportStats> {
  // the clusters first, so that only the hosts of a cluster on two or more addresses (the only
  // ones collisions.json names) are kept while the lines are written
  const clusters = await clustersOf(readRecords(recordsPath));
  const colliding = new Set<string>();
  for (const cluster of clusters) {
    if (cluster.hosts < 2) continue;
    for (const member of cluster.members) colliding.add(member.ip);
  }
  const index = await indexByAddress(recordsPath);
  const ips = inAddressOrder([...index.keys()]);
  const hosts = new Map<string, HostLine>();
  mkdirSync(dirname(output), { recursive: true });
  const partial = `${output}.partial-${process.pid}`;
  const out = createWriteStream(partial, "utf8");
  const fd = openSync(recordsPath, "r");
  let records = 0;
  let average = 0;
  try {
    for (const [ipRecord, ip] of ips.entries()) {
      const own = readAt(fd, recordsPath, index.get(ip) as number[]).sort((a, b) => a.port - b.port);
      records += own.length;
      const line: Record<string, unknown> = { ip, writer: "FreshGrab.py", smtpsurvey: TOOL_VERSION };
      const measured = own.filter((r) => r.duration_ms !== null);
      if (measured.length) {
        const duration = measured.reduce((s, r) => s + (r.duration_ms as number), 0) / 1000;
        // FreshGrab's running mean of seconds per address
        average += (duration - average) / (ipRecord + 1);
        Object.assign(line, { duration, average });
      }
      const keys = new Map<number, string[]>();
      const analysis: Record<string, unknown> = {};
      for (const record of own) {
        line[`p${record.port}`] = sftcdPort(record);
        const port = portAnalysis(record);
        if (port) analysis[`p${record.port}`] = port;
        // the SSH key records.fresh shows first, so that `fprints` names the key written there
        const primary = primaryKey(record.ssh?.host_keys ?? []);
        const others = (record.ssh?.host_keys ?? []).filter((k) => k !== primary);
        const spkis = [
          record.tls?.chain[0]?.spki_sha256,
          primary?.spki_sha256,
          ...others.map((k) => k.spki_sha256),
        ];
        const present = spkis.filter((spki): spki is string => typeof spki === "string");
        if (present.length) keys.set(record.port, present);
      }
      if (keys.size && colliding.has(ip)) {
        analysis.nameset = nameset(own);
        hosts.set(ip, {
          ip,
          ipRecord,
          asn: own.find((r) => r.asn !== undefined)?.asn ?? null,
          keys,
          analysis,
        });
      }
      if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  } catch (error) {
    out.destroy();
    rmSync(partial, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
  const entries = collisionEntries(clusters, hosts);
  const collisionsPath = join(dirname(output), "collisions.json");
  renameSync(partial, output);
  writeFileAtomic(collisionsPath, collisionsJson(entries));
  return { hosts: ips.length, records, collisions: entries.length, collisionsPath };
}

/**
 * A run's records.jsonl is in grab order, not by address: one pass notes where each address's
 * lines are (offset, length, line number: 3 numbers a record), so that the export then reads them
 * address by address and holds one address's records at a time, not the run's.
 */
async function indexByAddress(path: string): Promise<Map<string, number[]>> {
  const index = new Map<string, number[]>();
  let offset = 0;
  let line = 0;
  let rest = Buffer.alloc(0);
  for await (const chunk of createReadStream(path)) {
    const data = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = data.indexOf(10); end !== -1; end = data.indexOf(10, start)) {
      line += 1;
      note(index, data.subarray(start, end), offset + start, line, path);
      start = end + 1;
    }
    offset += start;
    rest = Buffer.from(data.subarray(start));
  }
  if (rest.length) note(index, rest, offset, line + 1, path);
  return index;
}

const IP_FIELD = /"ip":"([^"]+)"/;

function note(index: Map<string, number[]>, bytes: Buffer, offset: number, line: number, path: string): void {
  if (bytes.length === 0 || bytes.every((b) => b === 32 || b === 13)) return;
  // records are written with "ip" as their second field: a look at the line's head finds it,
  // and a line written otherwise is parsed whole
  const ip = IP_FIELD.exec(bytes.subarray(0, 256).toString("latin1"))?.[1] ?? ipOfLine(bytes, path, line);
  const key = canonicalAddress(ip, `${path}:${line}`);
  const entries = index.get(key);
  if (entries) entries.push(offset, bytes.length, line);
  else index.set(key, [offset, bytes.length, line]);
}

function ipOfLine(bytes: Buffer, path: string, line: number): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new InputError(`${path}:${line}: not JSON`);
  }
  const ip = (parsed as { ip?: unknown } | null)?.ip;
  if (typeof ip !== "string") throw new InputError(`${path}:${line}: not a record: ip: missing`);
  return ip;
}

/** The records at the noted places, each checked against the schema as readRecords does. */
function readAt(fd: number, path: string, entries: readonly number[]): ScanRecord[] {
  const records: ScanRecord[] = [];
  for (let i = 0; i < entries.length; i += 3) {
    const [offset, length, line] = [entries[i] as number, entries[i + 1] as number, entries[i + 2] as number];
    const bytes = Buffer.alloc(length);
    readSync(fd, bytes, 0, length, offset);
    records.push(parseRecordLine(bytes.toString("utf8"), `${path}:${line}`));
  }
  return records;
}

/** IPv4 before IPv6, each numerically: one sort key per address, made once */
function inAddressOrder(ips: string[]): string[] {
  const keyed = ips.map((ip) => {
    const address = parseIp(ip);
    const hex = Buffer.from(address.toByteArray()).toString("hex");
    return { ip, key: `${address.kind() === "ipv4" ? "4" : "6"}${hex}` };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.ip);
}
