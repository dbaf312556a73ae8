/**
 * The one request: `HEAD / HTTP/1.1` with Host (RFC 9110 §7.2: the address, with the port when
 * it is not the scheme's default) and `Connection: close`. Written a line at a time so the
 * transcript (and a golden replay) shows each line.
 */
import { isIPv6 } from "node:net";

export function headRequestLines(ip: string, port: number, tls: boolean): string[] {
  const host = isIPv6(ip) ? `[${ip}]` : ip;
  const defaultPort = tls ? 443 : 80;
  const authority = port === defaultPort ? host : `${host}:${port}`;
  return ["HEAD / HTTP/1.1", `Host: ${authority}`, "Connection: close", ""];
}
