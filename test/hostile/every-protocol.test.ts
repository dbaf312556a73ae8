/**
 * One hostile-server suite for every protocol in the registry (the way one conformance suite runs
 * against every router): each case of protocol-servers.ts is a generic misbehaviour, written once
 * against each protocol's dialect (dialects.ts: SMTP's 220, IMAP's `* OK`, POP3's `+OK`, SSH's
 * identification; HTTP waits for the request and answers it). Every record must end in exactly
 * one classified status (never internal-error), parse against the schema, finish within its
 * bound, and the streaming cases must leave memory bounded.
 *
 * Engine settings for every scan here: reply 3 s, connect 2 s, session 20 s, no probes, an
 * explicit scope (127.77.208.0/20), PTR lookups to a DNS server of our own that knows nothing.
 *
 * case                    protocols      → expected status       why
 * ----------------------  -------------    --------------------  ----------------------------------------
 * polite                  all            → ok                    control: whole dialogue, STARTTLS/STLS
 *                                                                where the protocol has it; SSH: ssh2 server
 * refused                 all            → refused               nothing listens
 * immediate-close         plain          → closed-before-banner  FIN before any byte
 *                         http           → closed                the client speaks first: every failure
 *                                                                comes in reply to the request
 *                         smtps imaps    → closed-before-banner  the handshake fails; the engine turns every
 *                         pop3s                                  failed handshake into a closed channel
 *                         https          → closed                as http
 * reset-on-accept         plain, http    → reset                 RST before any byte
 * reset-on-client-hello   smtps imaps    → closed-before-banner  implicit TLS's RST, sent in answer to the
 *                         pop3s                                  ClientHello (at accept it races the connect).
 *                         https          → closed                Documents today's engine: a RST during the
 *                                                                handshake becomes ChannelError "closed",
 *                                                                not "reset" (src/scan/channel.ts startTls)
 * silent                  greeting-first → banner-timeout        nothing within the reply timeout (implicit
 *                                                                TLS: the handshake works, then silence)
 *                         http https     → reply-timeout         no answer to the request
 * drip-greeting           greeting-first → banner-timeout        the timeout runs to the greeting's last byte
 *                         http https     → reply-timeout         the response dripped
 * endless-reply           line protocols → too-long              the line or byte cap trips: SMTP 220- lines,
 *                                                                IMAP untagged CAPABILITY lines, POP3 CAPA
 *                                                                body, HTTP header fields
 *                         ssh            → protocol-error        lines before the identification: 20 are
 *                                                                allowed (RFC 4253 §4.2), more is not SSH
 * huge-line               all            → too-long              1 MiB without a newline: the 8 KiB line cap
 *                                                                (HTTP: a 1 MiB header after a good status line)
 * garbage-greeting        smtp smtps     → not-smtp              binary junk for the greeting
 *                         others         → protocol-error        `not-smtp` is SMTP's word; SSH waits out the
 *                                                                reply timeout for an SSH- line first
 * foreign-greeting        smtp smtps     → not-smtp              SSH's identification on an SMTP port
 *                         others         → protocol-error        SMTP's 220 on IMAP/SSH, IMAP's on POP3, SSH's
 *                                                                on HTTP
 * refusal-greeting        smtp imap pop3 → rejected              554, `* BYE`, `-ERR` (and their …s)
 *                         http https     → ok                    a 503 is data: the status code is recorded
 *                         ssh            → (none)                SSH has no refusing identification
 * close-after-greeting    all            → closed                greeting, then FIN instead of the first
 *                                                                answer (HTTP: FIN after the request)
 * reset-after-greeting    all            → reset                 greeting, then RST
 * stall-after-greeting    all            → reply-timeout         greeting, then no answer (SSH: no KEXINIT)
 * drip-replies            all            → reply-timeout         every answer 1 byte/s (SSH: the KEXINIT)
 * garbage-after-greeting  greeting-first → protocol-error        junk for the first answer (SSH: for the
 *                                                                first packet)
 * starttls-garbage        smtp imap pop3 → ok                    OK to STARTTLS/STLS, junk for a ServerHello:
 *                                                                tls.error set, plain-text answers kept, fast
 * starttls-close          smtp imap pop3 → ok                    same, FIN instead of a ServerHello
 * starttls-silence        smtp imap pop3 → ok                    same, no ServerHello: the handshake gives up
 *                                                                within the reply timeout
 * plain-on-tls-port       smtps imaps    → closed-before-banner  a plain-text server on the TLS port: the
 *                         pop3s                                  handshake fails ("wrong version number" or
 *                         https          → closed                kin, in tls.error), the channel is closed
 * handshake-silence       smtps imaps    → closed-before-banner  documents today's engine: a handshake
 *                         pop3s                                  timeout also becomes a closed channel
 *                         https          → closed                (banner-timeout would say it better)
 * imap-literal-silence    imap imaps     → reply-timeout         `* CAPABILITY {999999999}`, then nothing
 * imap-literal-trickle    imap imaps     → reply-timeout         then a byte every 200 ms, never a newline
 * imap-literal-flood      imap imaps     → too-long              then the literal as fast as it is read: the
 *                                                                line cap trips, memory stays flat
 * ssh-huge-packet         ssh            → protocol-error        a first packet of ~2 GiB: refused on its
 *                                                                length, never buffered
 * ssh-huge-kexinit        ssh            → protocol-error        a well-formed 1 MiB KEXINIT: over every
 *                                                                packet limit (ssh2's 35,000 bytes, ours 64 KiB)
 * ssh-endless-kexinit     ssh            → reply-timeout         a 35,000-byte KEXINIT that trickles: the
 *                                                                handshake's reply timeout ends it
 * ssh-flood-after-kexinit ssh           → ok                    a good KEXINIT, then IGNORE packets forever:
 *                                                                ok (the lists are kept), each handshake ends
 *                                                                at its 256 KiB budget, the key error says so
 *                                                                (src/protocols/ssh fix: the channel's byte
 *                                                                cap no longer counts after takeStream)
 * ssh-ignore-flood        ssh            → protocol-error        valid IGNORE packets forever, no KEXINIT:
 *                                                                the handshake's 72 KiB budget for a KEXINIT
 *                                                                ends it at once (src/protocols/ssh fix)
 *
 * "greeting-first" is every protocol but http and https; "plain" is smtp, imap, pop3 and ssh.
 * Not covered: connect-timeout, host-unreachable, network-unreachable (loopback cannot produce
 * them safely); out-of-scope has its own test in hostile.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATUSES, type Status } from "../../src/core/status.js";
import { greetingOf } from "../../src/protocols/record-view.js";
import { protocolNames } from "../../src/protocols/registry.js";
import { type ScanRecord, ScanRecordSchema } from "../../src/store/schema.js";
import { startDnsServer, type TestDnsServer } from "../support/dns-server.js";
import { type ScanOverrides, scanEndpoints } from "../support/scan.js";
import { SAMPLE_LISTS } from "../support/ssh-packets.js";
import { DIALECTS, PROTOCOL_NAMES, type ProtocolName } from "./dialects.js";
import {
  caseApplies,
  HOSTILE_CASES,
  type HostileCase,
  type ProtocolHostileServer,
  startProtocolHostile,
} from "./protocol-servers.js";

const REPLY_TIMEOUT_MS = 3000;
const SESSION_TIMEOUT_MS = 20_000;
/** scheduling slack on top of an engine deadline */
const SLACK_MS = 2000;
const WITHIN_ONE_REPLY_TIMEOUT = REPLY_TIMEOUT_MS + SLACK_MS;
/** a timeout after a few prompt steps (greeting, capabilities, STARTTLS), in a busy scan */
const WITHIN_TWO_REPLY_TIMEOUTS = 2 * REPLY_TIMEOUT_MS + SLACK_MS;
const WITHIN_THE_SESSION_CAP = SESSION_TIMEOUT_MS + SLACK_MS;
const SCOPE = ["127.77.208.0/20"];
const DNS_HOST = "127.77.223.53";
/** growth of RSS (and of the heap) allowed while one streaming case runs alone */
const MEMORY_GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;
const RSS_LIMIT_BYTES = 400 * 1024 * 1024;

const IMPLICIT_TLS: readonly ProtocolName[] = ["smtps", "imaps", "pop3s", "https"];
const HTTP_LIKE: readonly ProtocolName[] = ["http", "https"];

type PerProtocol = { all: Status } & Partial<Record<ProtocolName, Status>>;

interface Expectation {
  status: PerProtocol;
  /** the record must be finished by then (duration_ms); one reply timeout when absent */
  withinMs?: number;
  /** further assertions on the record */
  check?: (record: ScanRecord, protocol: ProtocolName) => void;
}

const each = (protocols: readonly ProtocolName[], status: Status): Partial<Record<ProtocolName, Status>> =>
  Object.fromEntries(protocols.map((p) => [p, status]));

const EXPECTED: Record<HostileCase, Expectation> = {
  polite: { status: { all: "ok" }, withinMs: WITHIN_THE_SESSION_CAP, check: politeRecord },
  refused: { status: { all: "refused" }, check: noProtocolPart },
  "immediate-close": {
    status: { all: "closed-before-banner", ...each(HTTP_LIKE, "closed") },
    check: noProtocolPart,
  },
  "reset-on-accept": { status: { all: "reset" }, check: noProtocolPart },
  "reset-on-client-hello": {
    // documents the engine: channel.ts startTls turns every failed handshake into "closed"
    status: { all: "closed-before-banner", https: "closed" },
    check: failedImplicitHandshake,
  },
  silent: { status: { all: "banner-timeout", ...each(HTTP_LIKE, "reply-timeout") } },
  "drip-greeting": { status: { all: "banner-timeout", ...each(HTTP_LIKE, "reply-timeout") } },
  "endless-reply": { status: { all: "too-long", ssh: "protocol-error" }, check: hasError },
  "huge-line": { status: { all: "too-long" }, check: hasError },
  "garbage-greeting": { status: { all: "protocol-error", smtp: "not-smtp", smtps: "not-smtp" } },
  "foreign-greeting": {
    status: { all: "protocol-error", smtp: "not-smtp", smtps: "not-smtp" },
    // what the server did say is evidence: it must be somewhere in the record
    check: (r, p) => expect(JSON.stringify(r)).toContain(DIALECTS[p].foreign.trim()),
  },
  "refusal-greeting": { status: { all: "rejected", ...each(HTTP_LIKE, "ok") }, check: refusalKept },
  "close-after-greeting": { status: { all: "closed" } },
  "reset-after-greeting": { status: { all: "reset" } },
  "stall-after-greeting": { status: { all: "reply-timeout" } },
  "drip-replies": { status: { all: "reply-timeout" } },
  "garbage-after-greeting": { status: { all: "protocol-error" } },
  "starttls-garbage": { status: { all: "ok" }, check: brokenStartTls },
  "starttls-close": { status: { all: "ok" }, check: brokenStartTls },
  // the handshake gives up like a reply: within a reply timeout of the STARTTLS, never at the cap
  "starttls-silence": { status: { all: "ok" }, withinMs: WITHIN_TWO_REPLY_TIMEOUTS, check: brokenStartTls },
  "plain-on-tls-port": {
    status: { all: "closed-before-banner", https: "closed" },
    check: failedImplicitHandshake,
  },
  "handshake-silence": {
    // documents the engine: a handshake timeout is a closed channel too (see the header)
    status: { all: "closed-before-banner", https: "closed" },
    check: failedImplicitHandshake,
  },
  "imap-literal-silence": { status: { all: "reply-timeout" }, check: imapGreetingKept },
  "imap-literal-trickle": { status: { all: "reply-timeout" }, check: imapGreetingKept },
  "imap-literal-flood": { status: { all: "too-long" }, check: imapGreetingKept },
  "ssh-huge-packet": { status: { all: "protocol-error" }, check: sshBannerKept },
  "ssh-huge-kexinit": { status: { all: "protocol-error" }, check: sshBannerKept },
  "ssh-endless-kexinit": { status: { all: "reply-timeout" }, check: sshBannerKept },
  "ssh-flood-after-kexinit": {
    status: { all: "ok" },
    check: (r) => {
      expect(r.ssh?.kex?.host_key).toEqual(SAMPLE_LISTS.host_key);
      expect(r.ssh?.host_keys).toEqual([]);
      expect(r.ssh?.errors.map((e) => e.error)).toContain("more than 262144 bytes during the key exchange");
    },
  },
  "ssh-ignore-flood": { status: { all: "protocol-error" }, check: sshBannerKept },
};

/** The cases that stream megabytes (or hand over one): each also runs alone, memory measured. */
const STREAMING_CASES: readonly HostileCase[] = [
  "endless-reply",
  "huge-line",
  "imap-literal-flood",
  "ssh-huge-packet",
  "ssh-huge-kexinit",
  "ssh-flood-after-kexinit",
  "ssh-ignore-flood",
];

function expectedStatus(hostileCase: HostileCase, protocol: ProtocolName): Status {
  const status = EXPECTED[hostileCase].status;
  return status[protocol] ?? status.all;
}

// ---------------------------------------------------------------------------------------------
// Per-case checks

function politeRecord(record: ScanRecord, protocol: ProtocolName): void {
  expect(record.error).toBeNull();
  const implicit = IMPLICIT_TLS.includes(protocol);
  if (protocol !== "ssh" && protocol !== "http") {
    expect(record.tls?.error ?? null).toBeNull();
    expect(record.tls?.implicit).toBe(implicit);
    expect(record.tls?.chain[0]?.subject).toContain("hostile.test");
  }
  // a protocol the cases below do not know: its dialect says what a polite record holds
  DIALECTS[protocol].politeRecord?.(record, implicit);
  switch (protocol) {
    case "smtp":
    case "smtps":
      expect(record.smtp?.banner).toContain("hostile fixture");
      expect(record.smtp?.quit?.code).toBe(221);
      if (!implicit) expect(record.smtp?.ehlo_tls).toContain("8BITMIME");
      return;
    case "imap":
    case "imaps":
      expect(record.imap?.greeting).toContain("hostile fixture ready");
      if (!implicit) expect(record.imap?.capabilities_tls).toContain("AUTH=PLAIN");
      else expect(record.imap?.capabilities).toContain("AUTH=PLAIN");
      return;
    case "pop3":
    case "pop3s":
      expect(record.pop3?.greeting).toContain("hostile fixture ready");
      expect(implicit ? record.pop3?.capabilities : record.pop3?.capabilities_tls).toContain("USER");
      return;
    case "http":
    case "https":
      expect(record.http?.status).toBe(200);
      expect(record.http?.server).toBe("hostile-fixture/1.0");
      return;
    case "ssh":
      expect(record.ssh?.banner).toBe("SSH-2.0-OpenSSH_9.6p1 hostile-fixture");
      expect(record.ssh?.host_keys.map((k) => k.algorithm)).toEqual(["ssh-ed25519"]);
      return;
  }
}

/** Nothing arrived: no protocol part has a greeting in it. */
function noProtocolPart(record: ScanRecord): void {
  expect(greetingOf(record)).toBeNull();
  expect(record.smtp?.banner ?? null).toBeNull();
  expect(record.imap?.greeting ?? null).toBeNull();
  expect(record.pop3?.greeting ?? null).toBeNull();
  expect(record.http).toBeNull();
  expect(record.ssh).toBeNull();
}

function hasError(record: ScanRecord): void {
  expect(record.error).toEqual(expect.any(String));
}

function refusalKept(record: ScanRecord, protocol: ProtocolName): void {
  if (protocol.startsWith("smtp")) expect(record.smtp?.replies.greeting?.code).toBe(554);
  if (protocol.startsWith("imap")) expect(record.imap?.greeting).toMatch(/^\* BYE/);
  if (protocol.startsWith("pop3")) expect(record.pop3?.greeting).toMatch(/^-ERR/);
  if (HTTP_LIKE.includes(protocol)) expect(record.http?.status).toBe(503);
}

/** OK to STARTTLS/STLS, then no TLS: the record is ok, the plain-text part kept, TLS says why. */
function brokenStartTls(record: ScanRecord, protocol: ProtocolName): void {
  expect(record.tls?.implicit).toBe(false);
  expect(record.tls?.error).toEqual(expect.any(String));
  if (protocol === "smtp") {
    expect(record.smtp?.starttls?.code).toBe(220);
    expect(record.smtp?.ehlo_tls).toBeNull();
  }
  if (protocol === "imap") {
    expect(record.imap?.starttls).toMatch(/ OK /);
    expect(record.imap?.capabilities_tls).toBeNull();
  }
  if (protocol === "pop3") {
    expect(record.pop3?.stls).toMatch(/^\+OK/);
    expect(record.pop3?.capabilities_tls).toBeNull();
  }
}

function failedImplicitHandshake(record: ScanRecord): void {
  expect(record.tls?.implicit).toBe(true);
  expect(record.tls?.error).toEqual(expect.any(String));
  expect(record.error).toMatch(/TLS/);
}

function imapGreetingKept(record: ScanRecord): void {
  expect(record.imap?.greeting).toContain("hostile fixture ready");
  expect(record.imap?.capabilities).toBeNull();
}

function sshBannerKept(record: ScanRecord): void {
  expect(record.ssh?.banner).toBe("SSH-2.0-OpenSSH_9.6p1 hostile-fixture");
  expect(record.ssh?.kex).toBeNull();
  expect(record.ssh?.host_keys).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

interface Combination {
  protocol: ProtocolName;
  hostileCase: HostileCase;
}

const COMBINATIONS: Combination[] = PROTOCOL_NAMES.flatMap((protocol) =>
  HOSTILE_CASES.filter((c) => caseApplies(c, protocol)).map((hostileCase) => ({ protocol, hostileCase })),
);

/** One address per combination, so per-IP limits never serialise the all-at-once scan. */
function ipFor({ protocol, hostileCase }: Combination): string {
  return `127.77.${210 + PROTOCOL_NAMES.indexOf(protocol)}.${10 + HOSTILE_CASES.indexOf(hostileCase)}`;
}

let dns: TestDnsServer;

function settings(): ScanOverrides {
  return {
    replyTimeoutMs: REPLY_TIMEOUT_MS,
    connectTimeoutMs: 2000,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    probes: [],
    scope: SCOPE,
    resolvers: [dns.address],
  };
}

async function scan(servers: readonly ProtocolHostileServer[]): Promise<ScanRecord[]> {
  return scanEndpoints(
    servers.map((s) => ({ ip: s.ip, port: s.port, protocol: s.protocol })),
    settings(),
  );
}

/** What every record owes, then the case's own expectation. */
function assertExpected(combination: Combination, server: ProtocolHostileServer, record: ScanRecord): void {
  const { protocol, hostileCase } = combination;
  const expected = EXPECTED[hostileCase];
  const label = `${protocol} ${hostileCase}: got ${record.status} (error: ${record.error})`;
  expect(() => ScanRecordSchema.parse(record), label).not.toThrow();
  expect({ ip: record.ip, port: record.port, protocol: record.protocol }, label).toEqual({
    ip: server.ip,
    port: server.port,
    protocol,
  });
  expect(STATUSES, label).toContain(record.status);
  expect(record.status, label).not.toBe("internal-error");
  // a raw NUL anywhere would show up as \u0000 in JSON: bytes must be escaped before the record
  expect(JSON.stringify(record), label).not.toContain("\\u0000");
  expect(record.status, label).toBe(expectedStatus(hostileCase, protocol));
  expect(record.duration_ms, label).toBeLessThan(expected.withinMs ?? WITHIN_ONE_REPLY_TIMEOUT);
  expected.check?.(record, protocol);
}

beforeAll(async () => {
  dns = await startDnsServer({ zone: {}, host: DNS_HOST });
});
afterAll(async () => {
  await dns?.stop();
});

describe("every protocol of the registry has a dialect", () => {
  it("the suite's protocols are the registry's", () => {
    expect([...PROTOCOL_NAMES].sort()).toEqual([...protocolNames()].sort());
  });
});

describe("hostile servers × every protocol, all in one scan", () => {
  const records = new Map<string, { server: ProtocolHostileServer; record: ScanRecord }>();
  const key = (c: Combination): string => `${c.protocol} ${c.hostileCase}`;
  let peakRss = 0;

  beforeAll(async () => {
    const servers: ProtocolHostileServer[] = [];
    peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    try {
      for (const c of COMBINATIONS)
        servers.push(await startProtocolHostile(c.protocol, c.hostileCase, { ip: ipFor(c) }));
      const scanned = await scan(servers);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      for (const record of scanned) {
        const server = servers.find((s) => s.ip === record.ip && s.port === record.port);
        if (server) records.set(key(server), { server, record });
      }
    } finally {
      clearInterval(sampler);
      await Promise.all(servers.map((s) => s.close()));
    }
  }, 90_000);

  it("one record per endpoint, RSS bounded throughout", () => {
    expect(records.size).toBe(COMBINATIONS.length);
    expect(peakRss, `peak RSS ${Math.round(peakRss / 1e6)} MB`).toBeLessThan(RSS_LIMIT_BYTES);
  });

  for (const c of COMBINATIONS) {
    it(`${c.protocol} ${c.hostileCase} → ${expectedStatus(c.hostileCase, c.protocol)}`, () => {
      const found = records.get(key(c));
      if (!found) throw new Error(`no record for ${key(c)}`);
      assertExpected(c, found.server, found.record);
    });
  }
});

describe("streaming cases, one at a time: memory stays bounded", () => {
  const streaming = COMBINATIONS.filter((c) => STREAMING_CASES.includes(c.hostileCase));
  for (const c of streaming) {
    it(`${c.protocol} ${c.hostileCase}: RSS and heap grow by less than 64 MiB`, async () => {
      const server = await startProtocolHostile(c.protocol, c.hostileCase, { ip: ipFor(c) });
      const before = process.memoryUsage();
      let peak = { rss: before.rss, heapUsed: before.heapUsed };
      const sampler = setInterval(() => {
        const now = process.memoryUsage();
        peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
      }, 20);
      try {
        const [record] = await scan([server]);
        const now = process.memoryUsage();
        peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
        if (!record) throw new Error("no record");
        assertExpected(c, server, record);
      } finally {
        clearInterval(sampler);
        await server.close();
      }
      const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
      const label = `rss +${mib(peak.rss - before.rss)}, heap +${mib(peak.heapUsed - before.heapUsed)}, server wrote ${mib(server.sent())}`;
      expect(peak.rss - before.rss, label).toBeLessThan(MEMORY_GROWTH_LIMIT_BYTES);
      expect(peak.heapUsed - before.heapUsed, label).toBeLessThan(MEMORY_GROWTH_LIMIT_BYTES);
    }, 30_000);
  }
});
