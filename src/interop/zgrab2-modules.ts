/**
 * One zgrab2 module result (`data.<name>.result`) → the protocol parts of a record, by the
 * module's `protocol`: smtp, ssh, imap, pop3, http, tls (scanners.md §1.3–1.6). Each converter
 * reads only the fields the module documents; what the module does not collect (IMAP and POP3
 * capabilities, EHLO inside TLS, probes, the transcript) stays null or empty.
 */
import { z } from "zod";
import type { HttpRecord, ImapRecord, Pop3Record, ScanRecord } from "../protocols/record.js";
import { smtpServerName } from "../protocols/smtp/server-name.js";
import { tlsRecord } from "../protocols/tls/record.js";
import { hostNameInGreeting } from "../protocols/tls/server-name.js";
import { readAs } from "./foreign-json.js";
import { smtpPartOf } from "./smtp-replies.js";
import { tlsFromLog } from "./zcrypto-tls.js";
import { sshFromLog } from "./zgrab2-ssh.js";

/** The parts of a record one module result fills, what it says of the greeting, and the protocol. */
export interface ModuleParts {
  protocol: string;
  parts: Partial<Pick<ScanRecord, "smtp" | "tls" | "ssh" | "imap" | "pop3" | "http">>;
  /** a greeting (or SSH identification, or HTTP status line) arrived */
  greeted: boolean;
  /** the greeting was a refusal (SMTP 4xx/5xx, IMAP BYE/NO/BAD, POP3 -ERR) */
  refused: boolean;
}

const Text = z.string().nullish();
const SmtpResult = z.object({
  banner: Text,
  ehlo: Text,
  helo: Text,
  help: Text,
  starttls: Text,
  quit: Text,
  implicit_tls: z.boolean().nullish(),
  tls: z.unknown().optional(),
});
const MailResult = z.object({
  banner: Text,
  starttls: Text,
  tls: z.unknown().optional(),
  imaps: z.boolean().nullish(),
  pop3s: z.boolean().nullish(),
});
const HttpResult = z.object({
  response: z
    .object({
      status_line: Text,
      status_code: z.number().nullish(),
      /** "HTTP/1.1" today; {name} in zgrab2's older schema */
      protocol: z.union([z.string(), z.object({ name: Text })]).nullish(),
      headers: z.record(z.string(), z.unknown().optional()).nullish(),
      request: z
        .object({
          url: z.object({ scheme: Text }).nullish(),
          tls_log: z.unknown().optional(),
          tls_handshake: z.unknown().optional(),
        })
        .nullish(),
    })
    .nullish(),
});

type Converter = (result: unknown, at: string, error: string | null) => ModuleParts;

export const ZGRAB2_MODULES: Record<string, Converter> = {
  smtp: smtpModule,
  ssh: sshModule,
  imap: (result, at, error) => mailModule("imap", result, at, error),
  pop3: (result, at, error) => mailModule("pop3", result, at, error),
  http: httpModule,
  tls: tlsModule,
};

/** zgrab2's smtp result; also the shape of records.fresh's p25/p587 `data`. */
export function smtpModule(result: unknown, at: string, error: string | null): ModuleParts {
  const r = readAs(SmtpResult, result ?? {}, at);
  const implicit = r.implicit_tls === true;
  const { smtp, greeted } = smtpPartOf(r);
  const hasAny = r.banner != null || r.tls != null;
  const tls =
    tlsFromLog(r.tls, `${at}.tls`, {
      implicit,
      error: r.tls != null && greeted ? error : null,
      serverName: greeted ? smtpServerName(smtp) : null,
    }) ??
    // a refused STARTTLS, as smtpsurvey's own SMTP session records it
    (smtp.starttls && smtp.starttls.code !== 220
      ? tlsRecord(
          { version: null, cipher: null, chainDer: [], error: `STARTTLS refused: ${smtp.starttls.code}` },
          false,
        )
      : null);
  const code = smtp.replies.greeting?.code ?? 0;
  return {
    protocol: implicit ? "smtps" : "smtp",
    parts: { smtp: hasAny ? smtp : null, tls },
    greeted,
    refused: greeted && (code < 200 || code >= 300),
  };
}

function sshModule(result: unknown, at: string): ModuleParts {
  const ssh = sshFromLog(result, at);
  return { protocol: "ssh", parts: { ssh }, greeted: ssh?.banner != null, refused: false };
}

/** imap and pop3: the greeting, the STARTTLS/STLS reply, the TLS log; implicit TLS without a STARTTLS */
export function mailModule(
  family: "imap" | "pop3",
  result: unknown,
  at: string,
  error: string | null,
): ModuleParts {
  const r = readAs(MailResult, result ?? {}, at);
  const greeting = r.banner ? firstLine(r.banner) : null;
  const starttls = r.starttls ? firstLine(r.starttls) : null;
  const implicit = r.imaps === true || r.pop3s === true || (r.tls != null && r.starttls == null);
  const tls = tlsFromLog(r.tls, `${at}.tls`, {
    implicit,
    error: r.tls != null ? error : null,
    serverName: greeting ? hostNameInGreeting(greeting) : null,
  });
  const refused =
    greeting !== null &&
    (family === "imap" ? /^\* (BYE|NO|BAD)\b/i.test(greeting) : greeting.startsWith("-ERR"));
  const answered = greeting !== null || starttls !== null;
  const parts =
    family === "imap"
      ? {
          imap: answered
            ? ({ greeting, capabilities: null, starttls, capabilities_tls: null } satisfies ImapRecord)
            : null,
        }
      : {
          pop3: answered
            ? ({ greeting, capabilities: null, stls: starttls, capabilities_tls: null } satisfies Pop3Record)
            : null,
        };
  return {
    protocol: implicit ? `${family}s` : family,
    parts: { ...parts, tls },
    greeted: greeting !== null,
    refused,
  };
}

/** zgrab2's http result (also records.fresh's p443 `data.http`): the response head, TLS under the request */
export function httpModule(result: unknown, at: string, error: string | null): ModuleParts {
  const r = readAs(HttpResult, result ?? {}, at);
  const response = r.response;
  const request = response?.request;
  const log = request?.tls_log ?? request?.tls_handshake;
  const logAt = `${at}.response.request.${request?.tls_log != null ? "tls_log" : "tls_handshake"}`;
  const secure = request?.url?.scheme === "https" || log != null;
  // a response object with nothing in it (records.fresh's shim of a failed grab) is no response
  const answered = response != null && (Boolean(response.status_line) || response.status_code != null);
  const tls = tlsFromLog(log, logAt, { implicit: true, error: answered ? null : error, serverName: null });
  const http: HttpRecord | null =
    answered && response
      ? {
          status_line: statusLine(response.status_line, response.protocol),
          status: response.status_code ?? null,
          server: null,
          headers: headersOf(response.headers),
        }
      : null;
  if (http) http.server = http.headers.find(([name]) => name.toLowerCase() === "server")?.[1] ?? null;
  return {
    protocol: secure ? "https" : "http",
    parts: { http, tls },
    greeted: http !== null,
    refused: false,
  };
}

function tlsModule(result: unknown, at: string, error: string | null): ModuleParts {
  const tls = tlsFromLog(result, at, { implicit: true, error, serverName: null });
  return { protocol: "https", parts: { tls }, greeted: tls !== null, refused: false };
}

/**
 * zgrab2's headers: lower-case names with `_` for `-`, each a list of values, plus `unknown`
 * as {key, value} pairs. The original capitals are lost; the hyphens come back.
 */
function headersOf(headers: Record<string, unknown> | null | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name === "unknown" && Array.isArray(value)) {
      for (const entry of value as Array<{ key?: unknown; value?: unknown }>) {
        const values = Array.isArray(entry?.value) ? entry.value : [entry?.value];
        for (const v of values)
          if (typeof entry?.key === "string" && typeof v === "string") out.push([entry.key, v]);
      }
      continue;
    }
    const headerName = name.replaceAll("_", "-");
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === "string") out.push([headerName, v]);
  }
  return out;
}

/** zgrab2 keeps Go's Status ("200 OK") and Proto apart: together they are the status line */
function statusLine(
  status: string | null | undefined,
  protocol: string | { name?: string | null } | null | undefined,
): string | null {
  if (!status) return null;
  if (/^HTTP\//.test(status)) return status;
  const proto = typeof protocol === "string" ? protocol : protocol?.name;
  return proto ? `${proto} ${status}` : status;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? "";
}
