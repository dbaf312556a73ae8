/**
 * masscan's banners of one endpoint → the record's parts and status. Each service name is one
 * of masscan's parsers: `smtp`, `ssh`, `imap`, `pop`, `http`, `ftp`, and for TLS `ssl` (the
 * version and the cipher's IANA code, as text) and `X509` (one certificate, base64 DER).
 */
import type { Status } from "../core/status.js";
import type { HttpRecord, ScanRecord, TlsRecord } from "../protocols/record.js";
import { protocolFamily, protocolForPort } from "../protocols/registry.js";
import { smtpServerName } from "../protocols/smtp/server-name.js";
import { describeCertificate } from "../protocols/tls/certificate.js";
import { matchNames } from "../protocols/tls/names.js";
import { hostNameInGreeting } from "../protocols/tls/server-name.js";
import { base64Field, ForeignFieldError } from "./foreign-json.js";
import { portProtocol } from "./imported-record.js";
import { smtpPartOf } from "./smtp-replies.js";

export interface Banner {
  service: string;
  text: string;
  line: number;
}

export interface MasscanParts {
  protocol: string;
  status: Status;
  error: string | null;
  parts: Partial<Pick<ScanRecord, "smtp" | "tls" | "ssh" | "imap" | "pop3" | "http">>;
}

/** masscan's parser names → our protocol families */
const FAMILY: Record<string, string> = {
  smtp: "smtp",
  ssh: "ssh",
  imap: "imap",
  pop: "pop3",
  http: "http",
  ftp: "ftp",
};

export function masscanParts(port: number, banners: readonly Banner[], closed = false): MasscanParts {
  const dialogue = banners.find((b) => FAMILY[b.service] !== undefined);
  let family = dialogue ? (FAMILY[dialogue.service] as string) : protocolFamily(protocolForPort(port));
  // FTP and SMTP both greet with 220: masscan's FTP parser takes an SMTP server on a port it does
  // not know (2525, say), and its greeting says which it is
  if (family === "ftp" && /^220[ -].*\bE?SMTP\b/im.test(dialogue?.text ?? "")) family = "smtp";
  // the port's own protocol when it is of that family (993 → imaps), else the family's plain one
  const protocol = portProtocol(port, family);
  const tls = tlsOf(banners, protocol.endsWith("s") && protocol !== family);
  if (!dialogue && !tls) {
    if (closed) return { protocol, status: "refused", error: "masscan: closed (RST)", parts: {} };
    return {
      protocol,
      status: "unclassified",
      error: "masscan: the port answered the SYN; no banner was kept",
      parts: {},
    };
  }
  const result: MasscanParts = { protocol, status: "ok", error: null, parts: { tls } };
  if (!dialogue) return result;
  const text = dialogue.text;
  switch (family) {
    case "smtp": {
      // what followed the greeting answered masscan's FTP commands, not EHLO: only the greeting counts
      const replies = smtpReplies(text);
      const { smtp, greeted } = smtpPartOf(dialogue.service === "ftp" ? { banner: replies.banner } : replies);
      result.parts.smtp = smtp;
      if (!greeted) {
        smtp.banner = text.replace(/\r?\n$/, "");
        return { ...result, status: "not-smtp", error: "masscan: the banner is not an SMTP reply" };
      }
      if (tls?.chain[0]) tls.names = matchNames(tls.chain[0], null, smtpServerName(smtp));
      const code = smtp.replies.greeting?.code ?? 0;
      if (code < 200 || code >= 300)
        return { ...result, status: "rejected", error: `the greeting was ${code}` };
      return result;
    }
    case "ssh": {
      const banner = firstLine(text);
      result.parts.ssh = { banner, kex: null, host_keys: [], errors: [] };
      return banner.startsWith("SSH-")
        ? result
        : { ...result, status: "protocol-error", error: "masscan: not an SSH identification" };
    }
    case "imap": {
      const greeting = firstLine(text);
      result.parts.imap = { greeting, capabilities: null, starttls: null, capabilities_tls: null };
      if (tls?.chain[0]) tls.names = matchNames(tls.chain[0], null, hostNameInGreeting(greeting));
      return /^\* (BYE|NO|BAD)\b/i.test(greeting)
        ? { ...result, status: "rejected", error: "masscan: the greeting was a refusal" }
        : result;
    }
    case "pop3": {
      const { greeting, capabilities, stls } = pop3Replies(text);
      result.parts.pop3 = { greeting, capabilities, stls, capabilities_tls: null };
      if (tls?.chain[0]) tls.names = matchNames(tls.chain[0], null, hostNameInGreeting(greeting));
      return greeting.startsWith("-ERR")
        ? { ...result, status: "rejected", error: "masscan: the greeting was -ERR" }
        : result;
    }
    case "http":
      result.parts.http = httpHead(text);
      return result;
    default:
      // FTP: smtpsurvey's ftp part wants a FEAT it never got; the greeting stays in `error`
      return { ...result, status: "ok", error: null };
  }
}

/** masscan sends CAPA then STLS: the greeting, CAPA's "+OK" and its lines up to ".", STLS's reply */
function pop3Replies(text: string): { greeting: string; capabilities: string[] | null; stls: string | null } {
  const lines = text.split(/\r?\n/);
  const greeting = lines[0] ?? "";
  let capabilities: string[] | null = null;
  let i = 1;
  if (lines[i]?.startsWith("+OK")) {
    const end = lines.indexOf(".", i + 1);
    if (end > i) {
      capabilities = lines.slice(i + 1, end);
      i = end + 1;
    }
  } else if (lines[i]?.startsWith("-ERR")) i += 1;
  const stls = lines[i] && /^[+-]/.test(lines[i] as string) ? (lines[i] as string) : null;
  return { greeting, capabilities, stls };
}

/** masscan sends EHLO then STARTTLS: the text holds the greeting, the EHLO reply, the STARTTLS reply */
function smtpReplies(text: string) {
  const lines = text.split(/\r?\n/).filter((l) => l !== "");
  const replies: string[] = [];
  let current = "";
  for (const line of lines) {
    current += `${line}\r\n`;
    if (line[3] !== "-") {
      replies.push(current);
      current = "";
    }
  }
  if (current) replies.push(current);
  return { banner: replies[0] ?? text, ehlo: replies[1] ?? null, starttls: replies[2] ?? null };
}

/** `X509` banners are the certificates in the order sent; `ssl` says "TLS/1.2 cipher:0xc02f, …" */
function tlsOf(banners: readonly Banner[], implicit: boolean): TlsRecord | null {
  const certificates = banners.filter((b) => b.service === "X509");
  const ssl = banners.find((b) => b.service === "ssl");
  if (certificates.length === 0 && !ssl) return null;
  const chain = certificates.map((b) => {
    const der = base64Field(b.text.trim(), "X509");
    try {
      return describeCertificate(der);
    } catch (error) {
      throw new ForeignFieldError("X509", `not a certificate: ${(error as Error).message}`, b.line);
    }
  });
  const version = ssl ? /\b(TLS|SSL)\/?(\d\.\d)\b/.exec(ssl.text) : null;
  const cipher = ssl ? /cipher:(0x[0-9a-fA-F]{1,4})/.exec(ssl.text) : null;
  // masscan offers TLS 1.1 at most: a server that wants 1.2 answers with an alert, "ALERT(0x0246)"
  const alert = ssl ? /ALERT\((0x[0-9a-fA-F]+)\)/.exec(ssl.text) : null;
  return {
    implicit,
    version: version
      ? version[1] === "SSL"
        ? `SSLv${(version[2] as string)[0]}`
        : `TLSv${version[2]}`
      : null,
    cipher: cipher?.[1] ?? null,
    chain,
    error: alert ? `masscan: the server answered with TLS alert ${alert[1]}` : null,
    names: chain[0] ? matchNames(chain[0], null, null) : null,
  };
}

function httpHead(text: string): HttpRecord {
  const [statusLine = "", ...rest] = text.split(/\r?\n/);
  const headers: Array<[string, string]> = [];
  for (const line of rest) {
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine);
  return {
    status_line: statusLine || null,
    status: status ? Number(status[1]) : null,
    server: headers.find(([name]) => name.toLowerCase() === "server")?.[1] ?? null,
    headers,
  };
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? "";
}
