/**
 * zgrab2 output (one JSON object per target, scanners.md §1.1) → records: one per module result
 * under `data`, at the port the module reports (else the envelope's, else the module's default).
 * Both single-module runs (`zgrab2 smtp`) and `zgrab2 multiple` write this envelope.
 */
import { z } from "zod";
import { RECORD_PART_NAMES, type ScanRecord } from "../protocols/record.js";
import { protocolFamily, protocolNamed } from "../protocols/registry.js";
import { ForeignFieldError, readAs } from "./foreign-json.js";
import { importedRecord, isoTime, portProtocol } from "./imported-record.js";
import { type ModuleParts, ZGRAB2_MODULES } from "./zgrab2-modules.js";
import { statusOfZgrab2 } from "./zgrab2-status.js";

const ModuleGrab = z.object({
  status: z.string(),
  protocol: z.string(),
  port: z.number().int().min(1).max(65535).nullish(),
  result: z.unknown().optional(),
  timestamp: z.string().nullish(),
  error: z.string().nullish(),
});

const Envelope = z.object({
  ip: z.string().nullish(),
  domain: z.string().nullish(),
  port: z.number().int().min(1).max(65535).nullish(),
  data: z.record(z.string(), z.unknown().optional()),
  error: z.string().nullish(),
});

export function zgrab2Records(line: unknown): ScanRecord[] {
  const envelope = readAs(Envelope, line, "");
  if (!envelope.ip) {
    // a name that did not resolve: zgrab2 connected nowhere, so there is no endpoint to record
    if (envelope.domain) return [];
    throw new ForeignFieldError("ip", "missing");
  }
  const records: ScanRecord[] = [];
  for (const [name, value] of Object.entries(envelope.data)) {
    const grab = readAs(ModuleGrab, value, `data.${name}`);
    const convert = ZGRAB2_MODULES[grab.protocol];
    if (!convert)
      throw new ForeignFieldError(
        `data.${name}.protocol`,
        `${JSON.stringify(grab.protocol)} is not a module smtpsurvey reads (smtp, ssh, imap, pop3, http, tls)`,
      );
    const error = grab.error ?? null;
    const parts: ModuleParts = convert(grab.result, `data.${name}.result`, error);
    const outcome = statusOfZgrab2(grab.status, error, { greeting: parts.greeted });
    let status = outcome.status;
    if (status === "not-smtp" && protocolFamily(parts.protocol) !== "smtp") status = "protocol-error";
    // zgrab2 counts any SMTP greeting that mentions SMTP as success; a 4xx/5xx one is our `rejected`
    if (status === "ok" && parts.refused) status = "rejected";
    // zgrab2's application-error after a good greeting is a refused STARTTLS: ours is an `ok`
    // dialogue whose TLS part says so (smtpModule), as a grab of smtpsurvey's would record it
    if (status === "rejected" && parts.greeted && !parts.refused) status = "ok";
    // nothing at all before the connection closed: zgrab2 calls the empty banner a protocol error
    if (status === "not-smtp" && !parts.parts.smtp?.banner) status = "closed-before-banner";
    const port = grab.port ?? envelope.port ?? (protocolNamed(parts.protocol)?.defaultPorts[0] as number);
    // a module that got nothing cannot tell smtps from smtp or https from http: the port can
    const empty = Object.values(parts.parts).every((part) => part === null || part === undefined);
    const protocol = empty ? portProtocol(port, parts.protocol) : parts.protocol;
    const record = importedRecord("zgrab2", {
      ip: envelope.ip,
      port,
      protocol,
      name: envelope.domain ?? null,
      status,
      error: status === "ok" ? null : (outcome.error ?? `zgrab2 ${grab.status}`),
      startedAt: isoTime(grab.timestamp),
    });
    Object.assign(record, parts.parts);
    records.push(record);
  }
  return mergeEndpoints(records);
}

/**
 * Several modules on one port (`ssh` and a second ssh section with other host-key algorithms,
 * `https` and `tls` on 443) make one record, as smtpsurvey's own grab does: the first successful
 * module's record, with the parts it lacks from the others and every SSH host key once.
 */
function mergeEndpoints(records: ScanRecord[]): ScanRecord[] {
  const byEndpoint = new Map<string, ScanRecord[]>();
  for (const record of records) {
    const key = `${record.port}`;
    byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), record]);
  }
  return [...byEndpoint.values()].map((same) => {
    if (same.length === 1) return same[0] as ScanRecord;
    const [base, ...rest] = [...same].sort((a, b) => Number(b.status === "ok") - Number(a.status === "ok"));
    const merged = base as ScanRecord;
    for (const other of rest) {
      for (const part of RECORD_PART_NAMES) {
        if (merged[part] === null && other[part] !== null) Object.assign(merged, { [part]: other[part] });
      }
      if (merged.ssh && other.ssh && merged.ssh !== other.ssh) {
        for (const key of other.ssh.host_keys)
          if (!merged.ssh.host_keys.some((k) => k.blob === key.blob)) merged.ssh.host_keys.push(key);
        merged.ssh.errors.push(...other.ssh.errors);
        merged.ssh.kex ??= other.ssh.kex;
      }
      // a second module's failure is kept: the host-key algorithms it could not fetch, say
      if (other.status !== "ok" && other.error && merged.ssh)
        merged.ssh.errors.push({ algorithm: "(zgrab2 module)", error: other.error });
    }
    return merged;
  });
}
