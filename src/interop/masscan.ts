/**
 * masscan output with --banners (scanners.md §2.2), in its `-oJ` (JSON) and `-oL` (list) forms,
 * which the importer tells apart by their first line. masscan writes one line per event (a port
 * open, then a banner per service it parsed: `smtp`, `ssh`, `imap`, `pop`, `http`, `ssl`, `X509`),
 * not per endpoint, so lines are gathered per (ip, port) and each endpoint becomes one record when
 * the file ends. A banner holds only what masscan's own dialogue drew: SMTP's greeting, EHLO and
 * STARTTLS replies run together, SSH's identification line, the first reply of IMAP and POP3, an
 * HTTP response head, the certificate (`X509`, base64 DER).
 */
import type { ScanRecord } from "../protocols/record.js";
import { ForeignFieldError, parseJsonObject } from "./foreign-json.js";
import type { LineImporter } from "./import-records.js";
import { importedRecord, isoTime } from "./imported-record.js";
import { masscanParts } from "./masscan-services.js";

interface Endpoint {
  ip: string;
  port: number;
  /** the input line that first named it, for errors */
  line: number;
  time: string | null;
  open: boolean;
  /** masscan saw a RST (`closed`, with --show closed) */
  closed: boolean;
  banners: Array<{ service: string; text: string; line: number }>;
}

const LIST_LINE = /^(open|closed|banner)\s+(\w+)\s+(\d+)\s+(\S+)\s+(\d+)(?:\s+(\S+)(?:\s(.*))?)?$/;

export class MasscanImporter implements LineImporter {
  private readonly endpoints = new Map<string, Endpoint>();
  private form: "json" | "list" | null = null;
  private n = 0;

  line(raw: string): ScanRecord[] {
    this.n += 1;
    const text = raw.trim();
    if (text === "") return [];
    this.form ??= text.startsWith("[") || text.startsWith("{") ? "json" : "list";
    if (this.form === "json") this.jsonLine(text);
    // a banner's text may end in spaces (" ALERT(0x0246) "): only the line end is cut
    else this.listLine(raw.replace(/\r$/, "").trimStart());
    return [];
  }

  end(): ScanRecord[] {
    const records = [...this.endpoints.values()].map((endpoint) => this.record(endpoint));
    this.endpoints.clear();
    return records;
  }

  /** -oJ: `[`, then one object per line with a comma before or after it, then `]` */
  private jsonLine(text: string): void {
    const body = text.replace(/^,\s*/, "").replace(/,\s*$/, "");
    if (body === "[" || body === "]" || body === "") return;
    const object = parseJsonObject(body, "a masscan JSON object");
    if (typeof object.ip !== "string") throw new ForeignFieldError("ip", "missing");
    if (!Array.isArray(object.ports)) throw new ForeignFieldError("ports", "not a list");
    const time = isoTime(
      typeof object.timestamp === "number" || typeof object.timestamp === "string" ? object.timestamp : null,
    );
    object.ports.forEach((entry: unknown, i: number) => {
      const at = `ports.${i}`;
      if (entry === null || typeof entry !== "object") throw new ForeignFieldError(at, "not an object");
      const p = entry as Record<string, unknown>;
      if (typeof p.port !== "number" || !Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
        throw new ForeignFieldError(`${at}.port`, "not a port");
      if (p.proto !== undefined && p.proto !== "tcp") return; // UDP and SCTP: not what smtpsurvey grabs
      const endpoint = this.endpoint(object.ip as string, p.port, time);
      if (p.status === "open") endpoint.open = true;
      if (p.status === "closed") endpoint.closed = true;
      if (p.service !== undefined) {
        const service = p.service as Record<string, unknown> | null;
        if (!service || typeof service.name !== "string")
          throw new ForeignFieldError(`${at}.service.name`, "missing");
        if (typeof service.banner !== "string")
          throw new ForeignFieldError(`${at}.service.banner`, "not text");
        endpoint.banners.push({ service: service.name, text: unescapeBanner(service.banner), line: this.n });
      }
    });
  }

  /** -oL: `open tcp PORT IP TIME` and `banner tcp PORT IP TIME SERVICE TEXT`; `#` lines are comments */
  private listLine(text: string): void {
    if (text.startsWith("#")) return;
    const match = LIST_LINE.exec(text);
    if (!match)
      throw new ForeignFieldError("(line)", "not a masscan -oL line (open|banner tcp PORT IP TIME …)");
    const [, kind, proto, portText, ip, time, service, banner] = match;
    const port = Number(portText);
    if (port < 1 || port > 65535) throw new ForeignFieldError("port", "not a port");
    if (proto !== "tcp") return;
    const endpoint = this.endpoint(ip as string, port, isoTime(time));
    if (kind === "open") endpoint.open = true;
    if (kind === "closed") endpoint.closed = true;
    if (kind === "banner") {
      if (!service) throw new ForeignFieldError("service", "missing");
      endpoint.banners.push({ service, text: unescapeBanner(banner ?? ""), line: this.n });
    }
  }

  private endpoint(ip: string, port: number, time: string | null): Endpoint {
    const key = `${ip} ${port}`;
    let endpoint = this.endpoints.get(key);
    if (!endpoint) {
      endpoint = { ip, port, line: this.n, time, open: false, closed: false, banners: [] };
      this.endpoints.set(key, endpoint);
    }
    if (time !== null && (endpoint.time === null || time < endpoint.time)) endpoint.time = time;
    return endpoint;
  }

  private record(endpoint: Endpoint): ScanRecord {
    const found = masscanParts(endpoint.port, endpoint.banners, endpoint.closed && !endpoint.open);
    const record = importedRecord("masscan", {
      ip: endpoint.ip,
      port: endpoint.port,
      protocol: found.protocol,
      status: found.status,
      error: found.error,
      startedAt: endpoint.time,
    });
    Object.assign(record, found.parts);
    return record;
  }
}

/**
 * masscan escapes each byte outside printable ASCII (CR, LF, tab, UTF-8's bytes) and each of
 * `\ < > & ' "`: as `\xNN` in -oL, as `\u00NN` in -oJ (which JSON.parse has already made one
 * character per byte). The bytes come back, then the UTF-8 they were (invalid UTF-8 as U+FFFD).
 */
export function unescapeBanner(text: string): string {
  const bytes = text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  return Buffer.from(bytes, "latin1").toString("utf8");
}
