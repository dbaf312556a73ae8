/** `-p` lists: "25,465,587", ranges "2501-2511", and a protocol per port "8022:ssh". */
import { InputError } from "../core/errors.js";

export interface PortSpec {
  port: number;
  /** the protocol named after a colon, if any; otherwise the port's default */
  protocol: string | null;
}

export function parsePorts(text: string, knownProtocols: readonly string[]): PortSpec[] {
  const specs: PortSpec[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    if (part === "") throw new InputError(`empty entry in port list ${JSON.stringify(text)}`);
    const [range, protocol, extra] = part.split(":");
    if (extra !== undefined || range === undefined)
      throw new InputError(`bad port entry ${JSON.stringify(part)}`);
    if (protocol !== undefined && !knownProtocols.includes(protocol)) {
      throw new InputError(
        `unknown protocol ${JSON.stringify(protocol)} in ${JSON.stringify(part)} (known: ${knownProtocols.join(", ")})`,
      );
    }
    const bounds = range.split("-");
    if (bounds.length > 2) throw new InputError(`bad port range ${JSON.stringify(range)}`);
    const low = portNumber(bounds[0] as string);
    const high = bounds.length === 2 ? portNumber(bounds[1] as string) : low;
    if (high < low) throw new InputError(`port range ${JSON.stringify(range)} runs backwards`);
    for (let port = low; port <= high; port++) specs.push({ port, protocol: protocol ?? null });
  }
  const seen = new Set<number>();
  return specs.filter((s) => {
    if (seen.has(s.port)) return false;
    seen.add(s.port);
    return true;
  });
}

function portNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InputError(`not a port number: ${JSON.stringify(text)}`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new InputError(`port ${port} is outside 1-65535`);
  return port;
}
