/**
 * Misbehaving SMTP servers: test fixtures for what real networks do to a scanner.
 *
 * `startHostile(kind, { ip, port? })` starts one kind on a loopback address and returns its
 * address and a `close()` that tears down every connection it accepted. Each kind is one small
 * function in `KINDS` below; the expected scan status of each is in hostile.test.ts.
 *
 * Safety: only 127.0.0.0/8 is accepted, every loop is bounded (bytes or lines), every timer is
 * tied to its connection and cleared when the connection or the server closes.
 */
import net from "node:net";
import tls from "node:tls";

export interface HostileServer {
  readonly kind: HostileKind;
  readonly ip: string;
  readonly port: number;
  /** connections accepted so far: lets a test prove the scanner never connected */
  accepted(): number;
  /** Destroys every open connection, then stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** The endless banner stops here even if someone keeps reading: 50 MB is plenty to hit any cap. */
const ENDLESS_CAP_BYTES = 50 * 1024 * 1024;
/** No fixture connection outlives this, so a forgotten close() cannot keep a test run alive. */
const CONNECTION_LIFETIME_MS = 120_000;
const HOST = "hostile.test";

/** One accepted connection: its socket (replaced by the TLS socket after STARTTLS) and its timers. */
export class Conn {
  private readonly timers = new Set<NodeJS.Timeout>();
  private dripQueue: Buffer = Buffer.alloc(0);
  secure = false;

  constructor(public socket: net.Socket) {
    this.watch(socket);
    const lifetime = setTimeout(() => this.socket.destroy(), CONNECTION_LIFETIME_MS);
    lifetime.unref();
    this.timers.add(lifetime);
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  /** Continues the conversation on a TLS socket wrapped around the current one. */
  upgrade(secureSocket: tls.TLSSocket): void {
    this.socket = secureSocket;
    this.secure = true;
    this.watch(secureSocket);
  }

  send(data: string | Buffer): void {
    // latin1 so that strings with \xff etc. go out as those exact bytes
    if (this.open) this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /** Runs `fn` after `ms` unless the connection is gone by then. */
  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.open) fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Sends `data` one byte every `intervalMs`, after whatever is already dripping. */
  drip(data: string, intervalMs: number): void {
    const idle = this.dripQueue.length === 0;
    this.dripQueue = Buffer.concat([this.dripQueue, Buffer.from(data, "latin1")]);
    if (idle) this.dripNextByte(intervalMs);
  }

  private dripNextByte(intervalMs: number): void {
    const byte = this.dripQueue.subarray(0, 1);
    this.dripQueue = this.dripQueue.subarray(1);
    this.send(byte);
    if (this.dripQueue.length > 0) this.after(intervalMs, () => this.dripNextByte(intervalMs));
  }

  /**
   * Calls `onCommand` with each line the client sends (CRLF or LF stripped) and its upper-cased
   * verb. Returns a function that stops listening, for handing the socket to TLS.
   */
  onCommand(onCommand: (verb: string, line: string) => void): () => void {
    const socket = this.socket;
    let pending = "";
    const onData = (chunk: Buffer): void => {
      // a scanner never sends long lines; cap what we keep so a bad client can't grow us
      pending = (pending + chunk.toString("latin1")).slice(-65_536);
      let newline = pending.indexOf("\n");
      while (newline >= 0 && this.open && socket === this.socket) {
        const line = pending.slice(0, newline).replace(/\r$/, "");
        pending = pending.slice(newline + 1);
        onCommand(line.split(" ", 1)[0]?.toUpperCase() ?? "", line);
        newline = pending.indexOf("\n");
      }
    };
    socket.on("data", onData);
    return () => socket.off("data", onData);
  }

  private watch(socket: net.Socket): void {
    // resets and EPIPEs from a scanner that hung up are expected, not test failures
    socket.on("error", () => {});
    socket.once("close", () => this.clearTimers());
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.dripQueue = Buffer.alloc(0);
  }
}

// ---------------------------------------------------------------------------------------------
// A plain SMTP dialogue that kinds bend: how replies leave, what gets advertised, special verbs.

type Handler = (conn: Conn, stopReading: () => void) => void;

interface Dialogue {
  /** line ending for everything we send */
  eol?: string;
  /** advertise STARTTLS in EHLO (before TLS); what answers STARTTLS is `on.STARTTLS` */
  advertiseStartTls?: boolean;
  /** how a reply's bytes leave: at once (default), delayed, dripped */
  deliver?: (conn: Conn, bytes: string) => void;
  /** verb → handler replacing the default answer */
  on?: Record<string, Handler>;
}

const deliverNow = (conn: Conn, bytes: string): void => conn.send(bytes);

function reply(conn: Conn, dialogue: Dialogue, lines: string[]): void {
  const eol = dialogue.eol ?? "\r\n";
  (dialogue.deliver ?? deliverNow)(conn, lines.map((line) => line + eol).join(""));
}

function ehloLines(conn: Conn, dialogue: Dialogue): string[] {
  const keywords = ["PIPELINING", "SIZE 10240000", "ENHANCEDSTATUSCODES", "8BITMIME"];
  if (dialogue.advertiseStartTls && !conn.secure) keywords.push("STARTTLS");
  const lines = [`${HOST} greets you`, ...keywords];
  return lines.map((text, i) => `250${i === lines.length - 1 ? " " : "-"}${text}`);
}

function defaultAnswer(conn: Conn, dialogue: Dialogue, verb: string): string[] {
  switch (verb) {
    case "EHLO":
      return ehloLines(conn, dialogue);
    case "HELO":
      return [`250 ${HOST}`];
    case "HELP":
      return ["214-2.0.0 This is a hostile test fixture", "214 2.0.0 End of HELP info"];
    case "NOOP":
    case "RSET":
      return ["250 2.0.0 OK"];
    case "QUIT":
      return ["221 2.0.0 Bye"];
    case "STARTTLS":
      return ["502 5.5.1 STARTTLS not offered"];
    default:
      return ["502 5.5.2 Command not recognized"];
  }
}

function answerCommands(conn: Conn, dialogue: Dialogue): void {
  const stopReading = conn.onCommand((verb) => {
    const special = dialogue.on?.[verb];
    if (special) return special(conn, stopReading);
    reply(conn, dialogue, defaultAnswer(conn, dialogue, verb));
    // a delayed or dripped 221 is still on its way: ending now would drop it, so the client hangs up
    if (verb === "QUIT" && !dialogue.deliver) conn.socket.end();
  });
}

function speakSmtp(
  conn: Conn,
  dialogue: Dialogue = {},
  banner = [`220 ${HOST} ESMTP hostile fixture`],
): void {
  reply(conn, dialogue, banner);
  answerCommands(conn, dialogue);
}

/**
 * STARTTLS done right: 220, then a real TLS server with our self-signed certificate. `afterReady`
 * is plain text sent in the same write as the 220 (a response-injection attempt); `tlsOptions`
 * narrow the server's TLS (old versions).
 */
function startTls(afterReady = "", tlsOptions: tls.TlsOptions = {}): Handler {
  return (conn, stopReading) => {
    stopReading();
    conn.send(`220 2.0.0 Ready to start TLS\r\n${afterReady}`);
    const options = { isServer: true, key: TEST_KEY_PEM, cert: TEST_CERT_PEM, ...tlsOptions };
    conn.upgrade(new tls.TLSSocket(conn.socket, options));
    answerCommands(conn, { advertiseStartTls: true });
  };
}

// ---------------------------------------------------------------------------------------------
// The kinds. `listen`: "tcp" (default), "tls" (implicit TLS: behaviour runs after the handshake),
// or "none" (nothing listens: the port is reserved and released, so connecting is refused).

interface KindSpec {
  listen?: "tcp" | "tls" | "none";
  behaviour: (conn: Conn) => void;
}

const KINDS = {
  /** A well-behaved server with STARTTLS: the control case. */
  polite: { behaviour: (c) => speakSmtp(c, { advertiseStartTls: true, on: { STARTTLS: startTls() } }) },

  refused: { listen: "none", behaviour: () => {} },

  "immediate-close": { behaviour: (c) => c.socket.end() },

  /** Accept, then RST at once (conntrack limits, IPS, some rate limiters). */
  "reset-on-accept": { behaviour: (c) => c.socket.resetAndDestroy() },

  silent: { behaviour: () => {} },

  "drip-banner": { behaviour: (c) => c.drip(`220 ${HOST} ESMTP drip, drip, drip\r\n`, 1000) },

  /** First line of a multi-line greeting, then nothing: the reply's last line never comes. */
  "unfinished-banner": { behaviour: (c) => c.send(`220-${HOST} ESMTP and then...\r\n`) },

  /**
   * Postfix postscreen's pregreet test: "220-", a pause, then the rest. A client that talks
   * before the last line is a bot: 554 and hang up.
   */
  "pregreet-trap": {
    behaviour: (c) => {
      let trapped = false;
      c.send(`220-${HOST} ESMTP\r\n`);
      const stopTrap = c.onCommand(() => {
        trapped = true;
        c.socket.end("554 5.5.1 Error: you talked too early\r\n");
      });
      c.after(2000, () => {
        stopTrap();
        if (!trapped) speakSmtp(c, {}, [`220 ${HOST} ESMTP ready`]);
      });
    },
  },

  "endless-banner": { behaviour: pumpEndlessBanner },

  /** "220 " and one MiB without a line ending. */
  "megabyte-line": { behaviour: (c) => c.send(`220 ${"x".repeat(1024 * 1024)}`) },

  /** A good first line, then 40 KB of a second one in the same write, and silence. */
  "long-line-after-short": {
    behaviour: (c) => c.send(`220-${HOST} this line is fine\r\n220-${"y".repeat(40_000)}`),
  },

  "binary-greeting": { behaviour: (c) => c.send(Buffer.concat([garbage(512), Buffer.from("\r\n")])) },

  /** Another protocol that speaks first (sshd moved to port 25 to dodge scanners). */
  "ssh-banner": {
    behaviour: (c) => {
      c.send("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n");
      c.onCommand(() => c.socket.end("Invalid SSH identification string.\r\n"));
    },
  },

  /** An HTTP server on the SMTP port: silent until it gets a request, then 400 and close. */
  "http-server": {
    behaviour: (c) =>
      c.onCommand(() =>
        c.socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
      ),
  },

  /** Implicit TLS only (an SMTPS daemon answering on port 25): it waits for our ClientHello. */
  "tls-only": { listen: "tls", behaviour: (c) => speakSmtp(c) },

  "greeting-421": {
    behaviour: (c) => c.socket.end(`421 4.3.2 ${HOST} Service not available, closing channel\r\n`),
  },

  /** RFC 5321 3.1: a 554 greeting, then 503 to everything but QUIT. */
  "greeting-554": {
    behaviour: (c) => {
      c.send(`554 5.7.1 ${HOST} No SMTP service for you\r\n`);
      c.onCommand((verb) =>
        verb === "QUIT"
          ? c.socket.end("221 2.0.0 Bye\r\n")
          : c.send("503 5.5.1 Bad sequence of commands\r\n"),
      );
    },
  },

  /** Banner, then a FIN instead of an EHLO reply (crashing or overloaded daemons). */
  "close-after-banner": { behaviour: (c) => speakSmtp(c, { on: { EHLO: (conn) => conn.socket.end() } }) },

  "reset-after-ehlo": {
    behaviour: (c) => speakSmtp(c, { on: { EHLO: (conn) => conn.socket.resetAndDestroy() } }),
  },

  /** Banner, then never reads again: commands pile up in the kernel's buffers, no replies. */
  "never-reads": {
    behaviour: (c) => {
      c.send(`220 ${HOST} ESMTP I talk but never listen\r\n`);
      c.socket.pause();
    },
  },

  /** Prompt banner, then every reply one byte per second. */
  "drip-replies": {
    behaviour: (c) => {
      c.send(`220 ${HOST} ESMTP the banner is quick, the rest is not\r\n`);
      answerCommands(c, { deliver: (conn, bytes) => conn.drip(bytes, 1000) });
    },
  },

  /** A valid greeting, then binary junk in answer to EHLO (a confused proxy or middlebox). */
  "garbage-after-banner": {
    behaviour: (c) =>
      speakSmtp(c, { on: { EHLO: (conn) => conn.send(Buffer.concat([garbage(200), Buffer.from("\r\n")])) } }),
  },

  "ehlo-300-lines": {
    behaviour: (c) => speakSmtp(c, { on: { EHLO: (conn) => conn.send(numberedReply("250", 300, 20)) } }),
  },

  /** Every line and reply within its cap, but HELP alone is ~360 KB: only the session cap trips. */
  "help-flood": {
    behaviour: (c) => speakSmtp(c, { on: { HELP: (conn) => conn.send(numberedReply("214", 180, 2000)) } }),
  },

  /** Every reply, the banner included, 2 s late (a tarpit / greylisting delay). */
  tarpit: {
    behaviour: (c) => speakSmtp(c, { deliver: (conn, bytes) => conn.after(2000, () => conn.send(bytes)) }),
  },

  /** Pre-ESMTP server: EHLO is refused, HELO works. */
  "ehlo-unsupported": {
    behaviour: (c) =>
      speakSmtp(c, { on: { EHLO: (conn) => conn.send("500 5.5.1 Command unrecognized: EHLO\r\n") } }),
  },

  /** A good greeting, then "421 too many connections" to EHLO and a hang-up (busy MTAs do this). */
  "ehlo-421": {
    behaviour: (c) =>
      speakSmtp(c, {
        on: { EHLO: (conn) => conn.socket.end("421 4.7.0 hostile.test Too many connections, try later\r\n") },
      }),
  },

  /**
   * Offers PIPELINING but answers only the first command of each read and drops the rest (a
   * server that reads a line, answers, and discards its buffer): a pipelined QUIT goes unanswered.
   */
  "pipelining-deaf": {
    behaviour: (c) => {
      c.send(`220 ${HOST} ESMTP deaf to pipelining\r\n`);
      c.socket.on("data", (chunk: Buffer) => {
        const line = (chunk.toString("latin1").split("\n", 1)[0] ?? "").replace(/\r$/, "");
        reply(c, {}, defaultAnswer(c, {}, line.split(" ", 1)[0]?.toUpperCase() ?? ""));
      });
    },
  },

  /** Bare LF line endings everywhere. */
  "bare-lf": { behaviour: (c) => speakSmtp(c, { eol: "\n" }) },

  /** A valid banner with a NUL and invalid UTF-8 (0xff 0xfe) inside. */
  "nul-banner": { behaviour: (c) => speakSmtp(c, {}, [`220 nul\x00${HOST} ESMTP \xff\xfe ready`]) },

  /** Advertises STARTTLS, then refuses it. */
  "starttls-454": {
    behaviour: (c) =>
      speakSmtp(c, {
        advertiseStartTls: true,
        on: { STARTTLS: (conn) => conn.send("454 4.7.0 TLS not available due to local problem\r\n") },
      }),
  },

  /**
   * Plain-text lines glued to the STARTTLS 220 (response injection, cf. CVE-2011-0411 and the
   * 2021 "NO STARTTLS" study): they must not leak into what is recorded inside TLS.
   */
  "starttls-injection": {
    behaviour: (c) =>
      speakSmtp(c, {
        advertiseStartTls: true,
        on: { STARTTLS: startTls("250-injected.example\r\n250 INJECTED-KEYWORD\r\n") },
      }),
  },

  /** STARTTLS to a TLS 1.0-only server with legacy ciphers: old MTAs are data, not errors. */
  "tls10-only": {
    behaviour: (c) =>
      speakSmtp(c, {
        advertiseStartTls: true,
        on: {
          STARTTLS: startTls("", { minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "ALL:@SECLEVEL=0" }),
        },
      }),
  },

  /** Says "220 go ahead" to STARTTLS, then answers the ClientHello with plain text and junk. */
  "starttls-garbage": {
    behaviour: (c) =>
      speakSmtp(c, {
        advertiseStartTls: true,
        on: {
          STARTTLS: (conn, stopReading) => {
            stopReading();
            conn.send("220 2.0.0 go ahead\r\n");
            // wait for the ClientHello so the junk is what TLS parses, not leftovers of the 220
            conn.socket.once("data", () =>
              conn.send(Buffer.concat([Buffer.from("this is not TLS\r\n"), garbage(256)])),
            );
          },
        },
      }),
  },

  /** Says "220 go ahead" to STARTTLS, then never answers the ClientHello. */
  "starttls-silence": {
    behaviour: (c) =>
      speakSmtp(c, {
        advertiseStartTls: true,
        on: {
          STARTTLS: (conn, stopReading) => {
            stopReading();
            conn.send("220 2.0.0 go ahead\r\n");
          },
        },
      }),
  },
} satisfies Record<string, KindSpec>;

export type HostileKind = keyof typeof KINDS;
export const HOSTILE_KINDS = Object.keys(KINDS) as HostileKind[];

/** `220-` lines as fast as the reader takes them, honouring backpressure, up to 50 MB. */
function pumpEndlessBanner(conn: Conn): void {
  const chunk = Buffer.from(`220-${HOST} this greeting goes on and on and on and on\r\n`.repeat(1000));
  let sent = 0;
  const pump = (): void => {
    while (conn.open && sent < ENDLESS_CAP_BYTES) {
      sent += chunk.length;
      if (!conn.socket.write(chunk)) {
        conn.socket.once("drain", pump);
        return;
      }
    }
    if (conn.open) conn.socket.end();
  };
  pump();
}

/** A multi-line reply of `count` lines, each `width` characters of text after the code. */
function numberedReply(code: string, count: number, width: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const text = `LINE-${String(i).padStart(4, "0")}-`.padEnd(width, "z");
    lines.push(`${code}${i === count ? " " : "-"}${text}\r\n`);
  }
  return lines.join("");
}

/** Deterministic non-text bytes with no CR or LF, not starting with a digit. */
export function garbage(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    const b = (i * 151 + 7) & 0xff;
    bytes[i] = b === 0x0a || b === 0x0d ? 0 : b;
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------

export function assertLoopback(ip: string): void {
  if (!net.isIPv4(ip) || !ip.startsWith("127.")) {
    throw new Error(`hostile servers only bind to 127.0.0.0/8, not ${ip}`);
  }
}

export function listen(server: net.Server, ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: ip, port, exclusive: true }, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export function stopListening(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port where nothing listens: bind it to learn a free number, then let it go. */
async function refusedPort(kind: HostileKind, ip: string, port: number): Promise<HostileServer> {
  const placeholder = net.createServer();
  const bound = await listen(placeholder, ip, port);
  await stopListening(placeholder);
  return { kind, ip, port: bound, accepted: () => 0, close: async () => {} };
}

export async function startHostile(
  kind: HostileKind,
  where: { ip: string; port?: number },
): Promise<HostileServer> {
  assertLoopback(where.ip);
  const spec: KindSpec = KINDS[kind];
  if (spec.listen === "none") return refusedPort(kind, where.ip, where.port ?? 0);

  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server =
    spec.listen === "tls"
      ? tls.createServer({ key: TEST_KEY_PEM, cert: TEST_CERT_PEM }, (socket) =>
          spec.behaviour(new Conn(socket)),
        )
      : net.createServer((socket) => spec.behaviour(new Conn(socket)));
  // "connection" is the raw TCP socket for both kinds of server: track it so close() can kill it
  server.on("connection", (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  server.on("tlsClientError", () => {}); // a scanner that gives up mid-handshake is expected

  const port = await listen(server, where.ip, where.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    kind,
    ip: where.ip,
    port,
    accepted: () => accepted,
    close: () => {
      closing ??= (() => {
        for (const socket of sockets) socket.destroy();
        return stopListening(server);
      })();
      return closing;
    },
  };
}

// A throwaway self-signed P-256 certificate for hostile.test (valid to 2126). Test-only: it
// protects nothing, the scanner accepts any certificate anyway.
export const TEST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg9q/j1T6FmD58sk2y
8GtEAX5sJ054NL5tBKhnmJ+KFhShRANCAAS4Lu+53hsebyLh7u1Ys39WAVBRm6a2
auEhZLu5jDGKnhEVwXifRLXliK2e3Bo/siybQCHe2vBto9jcf0P4ZK0Q
-----END PRIVATE KEY-----
`;
export const TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBnzCCAUSgAwIBAgIUUlvrT7nIudZIa6+jNt8mmiEBL9UwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMaG9zdGlsZS50ZXN0MCAXDTI2MTEyMzExNDgwMloYDzIxMjYx
MDMwMTE0ODAyWjAXMRUwEwYDVQQDDAxob3N0aWxlLnRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAS4Lu+53hsebyLh7u1Ys39WAVBRm6a2auEhZLu5jDGKnhEV
wXifRLXliK2e3Bo/siybQCHe2vBto9jcf0P4ZK0Qo2wwajAdBgNVHQ4EFgQUkOn6
KDLFTgfkkNhhEkxDMOXJWukwHwYDVR0jBBgwFoAUkOn6KDLFTgfkkNhhEkxDMOXJ
WukwDwYDVR0TAQH/BAUwAwEB/zAXBgNVHREEEDAOggxob3N0aWxlLnRlc3QwCgYI
KoZIzj0EAwIDSQAwRgIhAIiW17d+hm+9ems3/csxQUyz5NyAjqjpzwuAXXb92VWE
AiEAwE5PK2j06T9yLT6w3YYxMfUPBrZL+FEFEIoC8+SBfaI=
-----END CERTIFICATE-----
`;
