/**
 * records.fresh, the key-reuse survey's grab file (surveys.md §2.1): one JSON object per IP with
 * a member per port, `p22` … `p993` (and any other `pNNN`, which smtpsurvey's own export adds).
 * Each port holds what FreshGrab kept of zgrab2's result after its zgrab-v1 shim
 * (`{ip, data:{…}}`, `{ip, data:{}}` when the grab failed), a Python exception's text, or an
 * unshimmed zgrab2 result. The censys.io 2017 layout (`p25.smtp.starttls`, `p443.https.tls`,
 * `p993.imaps.tls`, `p22.ssh.v2`, with `autonomous_system` and `location`) is read as well.
 *
 * The shim drops zgrab2's status, error and timestamp: a failed port becomes `unclassified`,
 * and every record's time is the --scan-date given, or null.
 */
import { z } from "zod";
import { STATUSES } from "../core/status.js";
import type { ScanRecord } from "../protocols/record.js";
import { protocolFamily, protocolForPort } from "../protocols/registry.js";
import { ForeignFieldError, readAs } from "./foreign-json.js";
import { importedRecord, portProtocol } from "./imported-record.js";
import { censysPortData, TLS_ONLY } from "./sftcd-censys.js";
import { tlsFromLog } from "./zcrypto-tls.js";
import { zgrab2Records } from "./zgrab2.js";
import { httpModule, type ModuleParts, mailModule, smtpModule } from "./zgrab2-modules.js";
import { sshFromLog } from "./zgrab2-ssh.js";

const PORT_KEY = /^p(\d{1,5})$/;

const Host = z.object({
  ip: z.string(),
  writer: z.string().nullish(),
  autonomous_system: z.object({ asn: z.number().int().nullish() }).nullish(),
  location: z.object({ country_code: z.string().nullish() }).nullish(),
});

export interface SftcdOptions {
  /** ISO 8601 time to give every record (records.fresh keeps none), or null */
  scanDate: string | null;
}

export function sftcdRecords(line: unknown, options: SftcdOptions): ScanRecord[] {
  const host = readAs(Host, line, "");
  const object = line as Record<string, unknown>;
  const censys = host.writer == null && (host.autonomous_system != null || host.location != null);
  const records: ScanRecord[] = [];
  for (const [key, value] of Object.entries(object)) {
    const match = PORT_KEY.exec(key);
    if (!match) continue;
    const port = Number(match[1]);
    if (port < 1 || port > 65535) throw new ForeignFieldError(key, "not a port");
    const base = {
      ip: host.ip,
      port,
      startedAt: options.scanDate,
      ...(host.location?.country_code ? { country: host.location.country_code } : {}),
      ...(host.autonomous_system?.asn != null ? { asn: host.autonomous_system.asn } : {}),
    };
    records.push(...portRecords(key, port, value, base, censys));
  }
  return records;
}

type Base = Omit<Parameters<typeof importedRecord>[1], "protocol" | "status" | "error">;

function portRecords(key: string, port: number, value: unknown, base: Base, censys: boolean): ScanRecord[] {
  const byPort = protocolForPort(port);
  if (typeof value === "string") {
    // FreshGrab stores a Python exception's text in place of the port's result
    return [failed(base, byPort, `records.fresh: ${value}`)];
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ForeignFieldError(key, "neither a port's result nor an error string");
  const entry = value as Record<string, unknown>;
  if (typeof entry.status === "string" && "protocol" in entry) {
    // an unshimmed zgrab2 module result: read it as zgrab2 does
    return zgrab2Records({ ip: base.ip, data: { [key]: { port, ...entry } } }).map((r) => {
      Object.assign(r, { source: "sftcd", started_at: r.started_at ?? base.startedAt });
      if (base.country !== undefined) r.country = base.country;
      if (base.asn !== undefined) r.asn = base.asn;
      return r;
    });
  }
  const data = censys ? censysPortData(key, entry) : entry.data;
  const own = ownStatus(entry, key);
  const empty =
    data === null || data === undefined || (typeof data === "object" && Object.keys(data).length === 0);
  const at = censys ? key : `${key}.data`;
  const parts: ModuleParts = empty
    ? { protocol: byPort, parts: {}, greeted: false, refused: false }
    : shimParts(port, data as Record<string, unknown>, at);
  const filled = Object.values(parts.parts).some((part) => part !== null && part !== undefined);
  // with nothing read the dialogue cannot tell https from http (or smtps from smtp): the port can
  const protocol = filled ? parts.protocol : portProtocol(port, parts.protocol);
  // an empty port, or the shim's wrapping of an empty result ({xssh:{}}, {http:{}}): the port
  // failed, and only smtpsurvey's own export says why
  if (!filled && !own)
    return [failed(base, protocol, "records.fresh: the grab failed (FreshGrab's shim keeps no reason)")];
  let status: ScanRecord["status"] = parts.refused ? "rejected" : "ok";
  if (!parts.greeted && !parts.parts.tls)
    status = protocolFamily(parts.protocol) === "smtp" ? "not-smtp" : "protocol-error";
  const record = importedRecord("sftcd", {
    ...base,
    protocol,
    status: own?.status ?? status,
    error: own ? own.error : status === "ok" ? null : "records.fresh: the reply is not the protocol's",
  });
  Object.assign(record, parts.parts);
  return [record];
}

/** The v1-shaped `data` of one port, by what it holds: `xssh`, `http`, or a mail dialogue. */
function shimParts(port: number, data: Record<string, unknown>, at: string): ModuleParts {
  if ("xssh" in data) {
    const ssh = sshFromLog(data.xssh, `${at}.xssh`);
    return {
      protocol: "ssh",
      parts: { ssh },
      greeted: ssh?.banner != null,
      refused: false,
    };
  }
  if ("http" in data) return httpModule(data.http, `${at}.http`, null);
  const family = protocolFamily(protocolForPort(port));
  if (!(TLS_ONLY in data)) {
    if (family === "smtp") return smtpModule(data, at, null);
    if (family === "imap" || family === "pop3") return mailModule(family, data, at, null);
  }
  // a handshake alone: censys's p443, or a port of a protocol records.fresh has no dialogue for
  const key = TLS_ONLY in data ? TLS_ONLY : "tls";
  const protocol = protocolForPort(port);
  // implicit TLS for the TLS protocols (https, imaps, …); FTP's AUTH TLS comes after a dialogue
  const implicit = protocol !== protocolFamily(protocol);
  const tls = tlsFromLog(data[key], `${at}.${key}`, { implicit, error: null, serverName: null });
  return {
    protocol,
    parts: { tls },
    greeted: tls !== null,
    refused: false,
  };
}

/** smtpsurvey's own export keeps each record's status and error beside the shim's fields. */
function ownStatus(
  entry: Record<string, unknown>,
  key: string,
): { status: ScanRecord["status"]; error: string | null } | null {
  if (entry.smtpsurvey_status === undefined) return null;
  const status = entry.smtpsurvey_status;
  if (typeof status !== "string" || !(STATUSES as readonly string[]).includes(status))
    throw new ForeignFieldError(`${key}.smtpsurvey_status`, `${JSON.stringify(status)} is not a status`);
  const error = typeof entry.smtpsurvey_error === "string" ? entry.smtpsurvey_error : null;
  return { status: status as ScanRecord["status"], error };
}

function failed(base: Base, protocol: string, error: string): ScanRecord {
  return importedRecord("sftcd", { ...base, protocol, status: "unclassified", error });
}
