/**
 * The scan engine against misbehaving servers (test/hostile/servers.ts): each kind must end in
 * exactly one status, within its time bounds, with what the server did say kept in the record.
 *
 * Engine settings for every scan here: reply 3 s, connect 2 s, session 20 s, no probes (the
 * probes are other sessions; these tests are about the main one).
 *
 * kind                  → expected status       why
 * ---------------------    --------------------  --------------------------------------------------
 * polite                → ok                    control: full session, STARTTLS, TLS, EHLO again, QUIT
 * refused               → refused               nothing listens: ECONNREFUSED
 * immediate-close       → closed-before-banner  FIN before any byte
 * reset-on-accept       → reset                 RST before any byte. Ambiguous (closed-before-banner
 *                                               fits too); `reset` keeps the RST/FIN distinction,
 *                                               which tells a firewall or IPS from a daemon that hung up
 * silent                → banner-timeout        nothing within the reply timeout from the connect
 * drip-banner           → banner-timeout        one byte a second: the timeout runs to the reply's
 *                                               LAST line, so a drip times out like silence (and as fast)
 * unfinished-banner     → banner-timeout        "220-" then nothing: the last line never comes
 * pregreet-trap         → ok                    postscreen: "220-", 2 s, "220 …"; a client that talks
 *                                               before the last line is hung up on. Proves we wait
 *                                               for the whole greeting; both lines in the banner
 * endless-banner        → too-long              "220-" lines forever: the 200-line reply cap trips
 * megabyte-line         → too-long              1 MiB without a newline: the 8 KiB line cap trips
 * long-line-after-short → too-long              a good line, then 40 KB without a newline in the same
 *                                               segment: still a line over 8 KiB, whatever the chunking
 * binary-greeting       → not-smtp              a line of binary junk is not an SMTP reply
 * ssh-banner            → not-smtp              "SSH-2.0-…" is a greeting, just not SMTP's
 * http-server           → banner-timeout        an HTTP server waits for a request and says nothing;
 *                                               the scanner never saw a non-SMTP byte, so not not-smtp
 * tls-only              → banner-timeout        implicit TLS waits for our ClientHello: silence on the
 *                                               wire (scanned as smtps it is ok: separate test)
 * greeting-421          → rejected              4xx greeting; reply kept in banner and replies.greeting
 * greeting-554          → rejected              5xx greeting; same
 * close-after-banner    → closed                banner, then FIN instead of the EHLO reply: the
 *                                               engine's `closed` (hung up after the greeting); banner kept
 * reset-after-ehlo      → reset                 banner, then RST in answer to EHLO; banner kept
 * never-reads           → reply-timeout         banner, then the server stops reading: no EHLO reply
 * drip-replies          → reply-timeout         prompt banner, EHLO reply at 1 byte/s
 * garbage-after-banner  → protocol-error        valid 220, binary junk for the EHLO reply: not
 *                                               not-smtp (the greeting was SMTP); junk kept, escaped
 * ehlo-300-lines        → too-long              EHLO reply of 300 lines > the 200-line reply cap
 * help-flood            → too-long              HELP reply of 180 × 2 KB lines: each line and the reply
 *                                               are within their caps, the 256 KiB session cap is not
 * tarpit                → ok                    every reply 2 s late: inside the 3 s reply timeout,
 *                                               whole session ~8 s inside 20 s (with a 5 s session
 *                                               cap it is session-timeout: separate test)
 * ehlo-unsupported      → ok                    EHLO refused, HELO works: that is the HELO fallback
 * ehlo-421              → ok                    421 to EHLO after a 220 greeting: `rejected` is for the
 *                                               greeting only; the session followed SMTP, the 421 is
 *                                               kept in replies.ehlo and nothing is sent after it
 * pipelining-deaf       → ok                    offers PIPELINING, answers only the first command of a
 *                                               read: HELP and QUIT went in one write, so QUIT's reply
 *                                               never comes; the record is whole but for it (quit null)
 * bare-lf               → ok                    bare LF endings are tolerated; no stray \r in the text
 * nul-banner            → ok                    NUL and invalid UTF-8 inside a valid 220: escaped as
 *                                               \x00 / \xff in the record, never raw, never U+FFFD
 * starttls-454          → ok                    STARTTLS refused is a TLS problem, never a failure:
 *                                               session goes on in plain text; tls is null or has error
 * starttls-injection    → ok                    plain lines glued to the STARTTLS 220, then real TLS:
 *                                               the injected lines are dropped, never recorded as
 *                                               the EHLO inside TLS; tls.error null
 * tls10-only            → ok                    TLS 1.0 with legacy ciphers only: recorded, not an error
 * starttls-garbage      → ok                    junk instead of a ServerHello: tls.error set, the
 *                                               plain-text EHLO kept, and it fails fast (no timeout)
 * starttls-silence      → ok                    no ServerHello ever: the handshake times out into
 *                                               tls.error, the record is still ok. The handshake is a
 *                                               step like a reply, so it must give up within the reply
 *                                               timeout, not hold the connection to the session cap
 *
 * The statuses `closed`, `protocol-error` and `internal-error` are the engine's additions to the
 * issue's list (src/core/status.ts); `internal-error` must never appear here.
 *
 * Not covered, because loopback cannot produce them safely: connect-timeout, host-unreachable,
 * network-unreachable. out-of-scope has its own test (the server must see no connection).
 */
import { describe, expect, it } from "vitest";
import type { Status } from "../../src/core/status.js";
import { type ScanRecord, ScanRecordSchema, type SmtpRecord } from "../../src/store/schema.js";
import { scanEndpoints } from "../support/scan.js";
import { HOSTILE_KINDS, type HostileKind, type HostileServer, startHostile } from "./servers.js";

const REPLY_TIMEOUT_MS = 3000;
const SESSION_TIMEOUT_MS = 20_000;
type ScanOverrides = NonNullable<Parameters<typeof scanEndpoints>[1]>;
const SHORT: ScanOverrides = {
  replyTimeoutMs: REPLY_TIMEOUT_MS,
  connectTimeoutMs: 2000,
  sessionTimeoutMs: SESSION_TIMEOUT_MS,
  probes: [],
};
/** scheduling slack on top of an engine deadline */
const SLACK_MS = 2000;
/** a timeout that fires within this proves it counted from the command, not from each byte */
const WITHIN_ONE_REPLY_TIMEOUT = REPLY_TIMEOUT_MS + SLACK_MS;
const ONE_SCAN_TEST_TIMEOUT_MS = 30_000;
const RSS_LIMIT_BYTES = 300 * 1024 * 1024;

const EHLO_KEYWORDS = ["PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES", "8BITMIME"];

interface Expectation {
  status: Status;
  /** the record must be finished by then (duration_ms) */
  withinMs?: number;
  /** further assertions on the record */
  check?: (record: ScanRecord) => void;
}

const EXPECTED: Record<HostileKind, Expectation> = {
  polite: {
    status: "ok",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(r.error).toBeNull();
      expect(smtp.banner).toContain("hostile.test ESMTP hostile fixture");
      expect(smtp.ehlo).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS, "STARTTLS"]);
      expect(smtp.help?.code).toBe(214);
      expect(smtp.starttls?.code).toBe(220);
      expect(r.tls?.error).toBeNull();
      expect(r.tls?.implicit).toBe(false);
      expect(r.tls?.version).toMatch(/^TLS/);
      expect(r.tls?.chain[0]?.subject).toContain("hostile.test");
      expect(smtp.ehlo_tls).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]);
      expect(smtp.quit?.code).toBe(221);
    },
  },
  refused: { status: "refused", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: noBanner },
  "immediate-close": { status: "closed-before-banner", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: noBanner },
  "reset-on-accept": { status: "reset", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: noBanner },
  silent: { status: "banner-timeout", withinMs: WITHIN_ONE_REPLY_TIMEOUT },
  "drip-banner": { status: "banner-timeout", withinMs: WITHIN_ONE_REPLY_TIMEOUT },
  "unfinished-banner": { status: "banner-timeout", withinMs: WITHIN_ONE_REPLY_TIMEOUT },
  "pregreet-trap": {
    status: "ok",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.banner).toBe("220-hostile.test ESMTP\n220 hostile.test ESMTP ready");
      expect(smtp.ehlo).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]);
    },
  },
  "endless-banner": { status: "too-long", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: hasError },
  "megabyte-line": { status: "too-long", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: hasError },
  "long-line-after-short": { status: "too-long", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: hasError },
  "binary-greeting": { status: "not-smtp", withinMs: WITHIN_ONE_REPLY_TIMEOUT },
  "ssh-banner": {
    status: "not-smtp",
    withinMs: WITHIN_ONE_REPLY_TIMEOUT,
    // what the server said is evidence: it must be somewhere in the record (banner or transcript)
    check: (r) => expect(JSON.stringify(r)).toContain("SSH-2.0-OpenSSH_9.6p1"),
  },
  "http-server": { status: "banner-timeout", withinMs: WITHIN_ONE_REPLY_TIMEOUT },
  "tls-only": { status: "banner-timeout", withinMs: WITHIN_ONE_REPLY_TIMEOUT },
  "greeting-421": {
    status: "rejected",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.banner).toContain("Service not available");
      expect(smtp.replies.greeting?.code).toBe(421);
      expect(smtp.replies.greeting?.enhanced).toBe("4.3.2");
    },
  },
  "greeting-554": {
    status: "rejected",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.banner).toContain("No SMTP service for you");
      expect(smtp.replies.greeting?.code).toBe(554);
    },
  },
  "close-after-banner": { status: "closed", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: keepsBanner },
  "reset-after-ehlo": { status: "reset", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: keepsBanner },
  "never-reads": { status: "reply-timeout", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: keepsBanner },
  "drip-replies": { status: "reply-timeout", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: keepsBanner },
  "garbage-after-banner": {
    status: "protocol-error",
    withinMs: WITHIN_ONE_REPLY_TIMEOUT,
    check: (r) => {
      keepsBanner(r);
      // the junk is evidence: kept (escaped) in the transcript
      expect(r.transcript.some((e) => e.dir === "S" && e.data.includes("\\x9e"))).toBe(true);
    },
  },
  "ehlo-300-lines": { status: "too-long", withinMs: WITHIN_ONE_REPLY_TIMEOUT, check: keepsBanner },
  "help-flood": {
    status: "too-long",
    check: (r) => expect(smtpOf(r).ehlo).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]),
  },
  tarpit: {
    status: "ok",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.ehlo).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]);
      expect(smtp.help?.code).toBe(214);
    },
  },
  "ehlo-unsupported": {
    status: "ok",
    check: (r) => expect(smtpOf(r).helo?.join("\n")).toContain("hostile.test"),
  },
  "ehlo-421": {
    status: "ok",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.replies.ehlo?.code).toBe(421);
      expect(smtp.help).toBeNull();
    },
  },
  "pipelining-deaf": {
    status: "ok",
    withinMs: WITHIN_ONE_REPLY_TIMEOUT,
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.help?.code).toBe(214);
      expect(smtp.quit).toBeNull();
      expect(r.transcript.filter((e) => e.dir === "C").map((e) => e.data)).toEqual([
        "EHLO scanner.smtpsurvey.test",
        "HELP",
        "QUIT",
      ]);
    },
  },
  "bare-lf": {
    status: "ok",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.banner).toBe("220 hostile.test ESMTP hostile fixture");
      expect(smtp.ehlo).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]);
      expect(smtp.help?.code).toBe(214);
    },
  },
  "nul-banner": {
    status: "ok",
    check: (r) => {
      const banner = smtpOf(r).banner ?? "";
      expect(banner).toContain("\\x00");
      expect(banner).toMatch(/\\x(ff|FF)/);
      expect(banner).not.toContain("\u0000");
      expect(banner).not.toContain("\ufffd");
      expect(smtpOf(r).ehlo).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]);
    },
  },
  "starttls-454": {
    status: "ok",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.ehlo).toContain("STARTTLS");
      expect(smtp.starttls?.code).toBe(454);
      expect(smtp.ehlo_tls).toBeNull();
      // no handshake happened: either no tls part at all or one that says why
      if (r.tls !== null) expect(r.tls.error).not.toBeNull();
      expect(smtp.quit?.code).toBe(221);
    },
  },
  "starttls-injection": {
    status: "ok",
    check: (r) => {
      const smtp = smtpOf(r);
      expect(r.tls?.error).toBeNull();
      expect(r.tls?.version).toMatch(/^TLS/);
      expect(smtp.ehlo_tls).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]);
      expect(JSON.stringify(smtp)).not.toContain("INJECTED");
    },
  },
  "tls10-only": {
    status: "ok",
    check: (r) => {
      expect(r.tls?.error).toBeNull();
      expect(r.tls?.version).toBe("TLSv1");
      expect(smtpOf(r).ehlo_tls).toEqual(["hostile.test greets you", ...EHLO_KEYWORDS]);
    },
  },
  "starttls-garbage": {
    status: "ok",
    withinMs: WITHIN_ONE_REPLY_TIMEOUT,
    check: (r) => {
      const smtp = smtpOf(r);
      expect(smtp.ehlo).toContain("STARTTLS");
      expect(smtp.starttls?.code).toBe(220);
      expect(r.tls?.error).toEqual(expect.any(String));
      expect(smtp.ehlo_tls).toBeNull();
    },
  },
  "starttls-silence": {
    status: "ok",
    // the handshake is one step, like a reply: bounded by the reply timeout, not the session's
    withinMs: WITHIN_ONE_REPLY_TIMEOUT,
    check: (r) => {
      expect(smtpOf(r).ehlo).toContain("STARTTLS");
      expect(r.tls?.error).toEqual(expect.any(String));
      expect(smtpOf(r).ehlo_tls).toBeNull();
    },
  },
};

function smtpOf(record: ScanRecord): SmtpRecord {
  if (record.smtp === null) throw new Error(`record.smtp is null (status ${record.status})`);
  return record.smtp;
}

function noBanner(record: ScanRecord): void {
  expect(record.smtp?.banner ?? null).toBeNull();
}

function keepsBanner(record: ScanRecord): void {
  expect(smtpOf(record).banner).toContain("hostile.test ESMTP");
}

function hasError(record: ScanRecord): void {
  expect(record.error).toEqual(expect.any(String));
}

/** One address per kind, so per-IP limits in the engine never serialise the all-at-once scan. */
function ipFor(kind: HostileKind): string {
  return `127.77.200.${10 + HOSTILE_KINDS.indexOf(kind)}`;
}

/** Checks what every record owes, then the kind's own expectation. */
function assertExpected(server: HostileServer, record: ScanRecord | undefined): void {
  if (record === undefined) throw new Error(`no record for ${server.kind}`);
  const expected = EXPECTED[server.kind];
  const label = `${server.kind}: got ${record.status} (error: ${record.error})`;
  expect(() => ScanRecordSchema.parse(record), label).not.toThrow();
  expect({ ip: record.ip, port: record.port, protocol: record.protocol }, label).toEqual({
    ip: server.ip,
    port: server.port,
    protocol: "smtp",
  });
  // a raw NUL anywhere would show up as \u0000 in JSON: bytes must be escaped before the record
  expect(JSON.stringify(record), label).not.toContain("\\u0000");
  expect(record.status, label).toBe(expected.status);
  if (expected.withinMs !== undefined) expect(record.duration_ms, label).toBeLessThan(expected.withinMs);
  expected.check?.(record);
}

async function withServer<T>(kind: HostileKind, use: (server: HostileServer) => Promise<T>): Promise<T> {
  const server = await startHostile(kind, { ip: ipFor(kind) });
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

async function scanOne(
  server: HostileServer,
  overrides: ScanOverrides = SHORT,
  protocol = "smtp",
): Promise<ScanRecord> {
  const records = await scanEndpoints([{ ip: server.ip, port: server.port, protocol }], overrides);
  expect(records).toHaveLength(1);
  return records[0] as ScanRecord;
}

describe("hostile servers, one at a time", () => {
  for (const kind of HOSTILE_KINDS) {
    it(
      `${kind} → ${EXPECTED[kind].status}`,
      () => withServer(kind, async (server) => assertExpected(server, await scanOne(server))),
      ONE_SCAN_TEST_TIMEOUT_MS,
    );
  }
});

describe("hostile servers, variations", () => {
  it(
    "tarpit with a 5 s session cap → session-timeout, banner kept",
    () =>
      withServer("tarpit", async (server) => {
        const record = await scanOne(server, { ...SHORT, sessionTimeoutMs: 5000 });
        expect(record.status, `error: ${record.error}`).toBe("session-timeout");
        expect(record.duration_ms).toBeLessThan(5000 + SLACK_MS);
        keepsBanner(record);
      }),
    ONE_SCAN_TEST_TIMEOUT_MS,
  );

  it(
    "tls-only scanned as smtps → ok over implicit TLS",
    () =>
      withServer("tls-only", async (server) => {
        const record = await scanOne(server, SHORT, "smtps");
        expect(record.status, `error: ${record.error}`).toBe("ok");
        expect(record.protocol).toBe("smtps");
        expect(record.tls?.implicit).toBe(true);
        expect(record.tls?.error).toBeNull();
        keepsBanner(record);
      }),
    ONE_SCAN_TEST_TIMEOUT_MS,
  );

  it(
    'starttls "always" at a server that does not offer it → ok, the 502 kept',
    () =>
      withServer("bare-lf", async (server) => {
        const record = await scanOne(server, { ...SHORT, starttls: "always" });
        expect(record.status, `error: ${record.error}`).toBe("ok");
        expect(smtpOf(record).starttls?.code).toBe(502);
        if (record.tls !== null) expect(record.tls.error).not.toBeNull();
      }),
    ONE_SCAN_TEST_TIMEOUT_MS,
  );

  it(
    "a target outside the scope → out-of-scope, and no connection is ever made",
    () =>
      withServer("polite", async (server) => {
        const record = await scanOne(server, { ...SHORT, scope: ["127.77.199.0/24"] });
        expect(record.status).toBe("out-of-scope");
        expect(server.accepted()).toBe(0);
      }),
    ONE_SCAN_TEST_TIMEOUT_MS,
  );
});

describe("all hostile servers in one scan", () => {
  it("one record per endpoint, each with its status, RSS under 300 MB throughout", async () => {
    const servers: HostileServer[] = [];
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    try {
      for (const kind of HOSTILE_KINDS) servers.push(await startHostile(kind, { ip: ipFor(kind) }));
      const records = await scanEndpoints(
        servers.map((s) => ({ ip: s.ip, port: s.port })),
        SHORT,
      );
      peakRss = Math.max(peakRss, process.memoryUsage().rss);

      const endpointKey = (e: { ip: string; port: number }): string => `${e.ip}:${e.port}`;
      expect(records.map(endpointKey).sort()).toEqual(servers.map(endpointKey).sort());
      for (const server of servers) {
        const record = records.find((r) => endpointKey(r) === endpointKey(server));
        // soft: one wrong kind must not hide the others
        expect.soft(() => assertExpected(server, record), server.kind).not.toThrow();
      }
      expect(peakRss, `peak RSS ${Math.round(peakRss / 1e6)} MB`).toBeLessThan(RSS_LIMIT_BYTES);
    } finally {
      clearInterval(sampler);
      await Promise.all(servers.map((s) => s.close()));
    }
  }, 90_000);
});
