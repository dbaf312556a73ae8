/**
 * A tiny authoritative DNS server for tests (UDP only: every answer here is far below 512 bytes,
 * so no client ever needs TCP). The zone is plain data; each name can also be made to fail
 * (SERVFAIL, REFUSED) or to never answer, and answers can be delayed so tests can observe how
 * many queries a client keeps in flight. It binds a loopback address on an ephemeral port and
 * counts every query it receives.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import dnsPacket, { type Answer, type DecodedPacket } from "dns-packet";

/** What one name holds. A name absent from the zone is NXDOMAIN; a present name without the asked type is NODATA. */
export interface ZoneEntry {
  /** `exchange: "."` with preference 0 is a null MX (RFC 7505) */
  mx?: Array<{ preference: number; exchange: string }>;
  a?: string[];
  aaaa?: string[];
  /** the name is an alias: queries for other types follow it (within this zone, like an authority does) */
  cname?: string;
  /** answer SERVFAIL or REFUSED, or never answer at all (the client times out) */
  behaviour?: "servfail" | "refused" | "silent";
}

export type Zone = Record<string, ZoneEntry>;

export interface DnsServerOptions {
  zone: Zone;
  /** a 127.x address (default 127.0.0.1) */
  host?: string;
  /** delay before every answer, ms */
  delayMs?: number;
  /**
   * TTL of every record. 0 by default so the client's own cache (c-ares has one) never hides a
   * repeated query from the counts below.
   */
  ttl?: number;
}

export interface QueryLogEntry {
  name: string;
  type: string;
}

export interface TestDnsServer {
  host: string;
  port: number;
  /** "host:port", as `Resolver.setServers` takes it */
  address: string;
  /** every query received, in order (retries included) */
  queries: QueryLogEntry[];
  /** the most queries received but not yet answered at one time (silent names excluded) */
  peakInFlight: number;
  /** the same, per query type */
  peakInFlightByType: Record<string, number>;
  /** how many queries named `name` (and `type`, when given) arrived */
  count(name: string, type?: string): number;
  stop(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const MAX_CNAME_CHAIN = 8;

function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

export async function startDnsServer(options: DnsServerOptions): Promise<TestDnsServer> {
  const host = options.host ?? "127.0.0.1";
  if (!host.startsWith("127.")) throw new Error(`test DNS server must bind loopback, not ${host}`);
  const zone = new Map<string, ZoneEntry>(
    Object.entries(options.zone).map(([name, entry]) => [canonical(name), entry]),
  );
  const ttl = options.ttl ?? 0;
  const socket: Socket = createSocket("udp4");
  const timers = new Set<NodeJS.Timeout>();
  const inFlightByType = new Map<string, number>();
  let inFlight = 0;

  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  const port = socket.address().port;

  const server: TestDnsServer = {
    host,
    port,
    address: `${host}:${port}`,
    queries: [],
    peakInFlight: 0,
    peakInFlightByType: {},
    count: (name, type) =>
      server.queries.filter((q) => q.name === canonical(name) && (type === undefined || q.type === type))
        .length,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };

  const answer = (query: DecodedPacket, remote: RemoteInfo) => {
    const question = query.questions?.[0];
    if (!question) return;
    const name = canonical(question.name);
    server.queries.push({ name, type: question.type });
    const reply = respond(zone, query, ttl);
    if (!reply) return; // silent
    const type = question.type;
    inFlight += 1;
    inFlightByType.set(type, (inFlightByType.get(type) ?? 0) + 1);
    server.peakInFlight = Math.max(server.peakInFlight, inFlight);
    server.peakInFlightByType[type] = Math.max(
      server.peakInFlightByType[type] ?? 0,
      inFlightByType.get(type) ?? 0,
    );
    const send = () => {
      inFlight -= 1;
      inFlightByType.set(type, (inFlightByType.get(type) ?? 1) - 1);
      socket.send(reply, remote.port, remote.address);
    };
    if (options.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, options.delayMs);
      timers.add(timer);
    } else {
      send();
    }
  };

  socket.on("message", (message, remote) => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignore, as a real server would
    }
    if (query.type !== "query") return;
    answer(query, remote);
  });
  return server;
}

/** The encoded response to `query`, or null for a name that stays silent. */
function respond(zone: Map<string, ZoneEntry>, query: DecodedPacket, ttl: number): Buffer | null {
  const question = query.questions?.[0];
  if (!question) return null;
  const answers: Answer[] = [];
  let rcode: number = RCODE.NOERROR;
  let name = canonical(question.name);
  // Follow aliases the way an authoritative server does for targets inside its own zone
  // (RFC 1034 §4.3.2); the rcode is about the last name in the chain (RFC 6604).
  for (let step = 0; step <= MAX_CNAME_CHAIN; step++) {
    const entry = zone.get(name);
    if (entry?.behaviour === "silent") return null;
    if (entry?.behaviour === "servfail") {
      rcode = RCODE.SERVFAIL;
      break;
    }
    if (entry?.behaviour === "refused") {
      rcode = RCODE.REFUSED;
      break;
    }
    if (!entry) {
      rcode = RCODE.NXDOMAIN;
      break;
    }
    if (entry.cname && question.type !== "CNAME") {
      answers.push({ type: "CNAME", name, ttl, data: entry.cname });
      name = canonical(entry.cname);
      continue;
    }
    answers.push(...recordsOf(entry, name, question.type, ttl));
    break;
  }
  const flags =
    dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | (rcode & 0xf);
  return dnsPacket.encode({
    type: "response",
    id: query.id ?? 0,
    flags,
    questions: [question],
    answers: rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED ? [] : answers,
  });
}

function recordsOf(entry: ZoneEntry, name: string, type: string, ttl: number): Answer[] {
  switch (type) {
    case "MX":
      return (entry.mx ?? []).map((mx) => ({ type: "MX", name, ttl, data: mx }));
    case "A":
      return (entry.a ?? []).map((ip) => ({ type: "A", name, ttl, data: ip }));
    case "AAAA":
      return (entry.aaaa ?? []).map((ip) => ({ type: "AAAA", name, ttl, data: ip }));
    case "CNAME":
      return entry.cname ? [{ type: "CNAME", name, ttl, data: entry.cname }] : [];
    default:
      return [];
  }
}
