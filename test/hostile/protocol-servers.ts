/**
 * Misbehaving servers for every protocol in the registry: each case is one generic hostile
 * behaviour (silence, a drip, an endless reply, a huge line, a hang-up…) written once against
 * the Dialect of dialects.ts, so "the greeting" is SMTP's 220, IMAP's `* OK`, POP3's `+OK`,
 * SSH's identification, and for HTTP the answer to the request. A few cases only exist in some
 * protocols (an IMAP literal, an SSH packet, STARTTLS, implicit TLS); `appliesTo` says where.
 *
 * `startProtocolHostile(protocol, case, { ip })` listens on a loopback address (ephemeral port).
 * For the implicit-TLS protocols the behaviour runs inside TLS, except in the cases marked
 * `beforeTls`, which are about the TCP connection or the handshake itself.
 *
 * Safety as in servers.ts: only 127.0.0.0/8, every stream bounded in bytes (and paced by the
 * reader: backpressure), every timer tied to its connection.
 */
import net from "node:net";
import tls from "node:tls";
import { Server as SshServer, utils as sshUtils } from "ssh2";
import { kexinitPacket, packet, SAMPLE_LISTS } from "../support/ssh-packets.js";
import { type Answer, DIALECTS, type Dialect, type ProtocolName } from "./dialects.js";
import {
  assertLoopback,
  Conn,
  garbage,
  listen,
  stopListening,
  TEST_CERT_PEM,
  TEST_KEY_PEM,
} from "./servers.js";

export interface ProtocolHostileServer {
  readonly protocol: ProtocolName;
  readonly hostileCase: HostileCase;
  readonly ip: string;
  readonly port: number;
  /** connections accepted so far */
  accepted(): number;
  /** bytes the server managed to write (what the scanner let through) */
  sent(): number;
  /** Destroys every open connection, then stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** A streaming case stops here even if the scanner never stops reading: far past every cap. */
const STREAM_CAP_BYTES = 64 * 1024 * 1024;
const MEBIBYTE = 1024 * 1024;
const DRIP_INTERVAL_MS = 1000;

interface CaseSpec {
  /** the protocols the case makes sense for (all when absent) */
  appliesTo?: (dialect: Dialect) => boolean;
  /** "none": nothing listens; "tcp": plain TCP even for implicit TLS; "ssh2": a real SSH server */
  listen?: "none" | "tcp" | "ssh2";
  behaviour: (conn: Conn, dialect: Dialect, meter: Meter) => void;
}

/** Counts what the fixture wrote, so a test can tell a cap tripped long before the stream ended. */
interface Meter {
  add(bytes: number): void;
}

const hasGreeting = (d: Dialect): boolean => d.greeting !== null;
const only =
  (...protocols: ProtocolName[]) =>
  (d: Dialect): boolean =>
    protocols.includes(d.protocol);
const isImplicitTls = (d: Dialect): boolean => d.implicitTls;
const hasStartTls = (d: Dialect): boolean => d.startTls !== null;

const CASES = {
  /** The control: a well-behaved server, STARTTLS/STLS done right where the protocol has it. */
  polite: { behaviour: (c, d) => speak(c, d) },

  refused: { listen: "none", behaviour: () => {} },

  "immediate-close": { listen: "tcp", behaviour: (c) => c.socket.end() },

  /** RST at once. Not for implicit TLS: there the RST races the client's connect (see below). */
  "reset-on-accept": {
    appliesTo: (d) => !d.implicitTls,
    listen: "tcp",
    behaviour: (c) => c.socket.resetAndDestroy(),
  },

  /**
   * Implicit TLS's reset-on-accept, made deterministic: RST in answer to the ClientHello. (An RST
   * at accept reaches the client either before its connect completes, `reset`, or during the
   * handshake, a failed handshake: which one is up to the scheduler.)
   */
  "reset-on-client-hello": {
    appliesTo: isImplicitTls,
    listen: "tcp",
    behaviour: (c) => c.socket.once("data", () => c.socket.resetAndDestroy()),
  },

  /** Nothing, ever (inside TLS for the implicit-TLS protocols: the handshake works, then silence). */
  silent: { behaviour: () => {} },

  /** The greeting (HTTP: the response) one byte a second. */
  "drip-greeting": {
    behaviour: (c, d) => {
      if (d.greeting !== null) c.drip(d.greeting, DRIP_INTERVAL_MS);
      else onRequests(c, d, (request) => c.drip(textOf(d.answer(request, true)), DRIP_INTERVAL_MS));
    },
  },

  /** The one reply that may have many lines, never ending; streamed as fast as it is read. */
  "endless-reply": {
    behaviour: (c, d, meter) => {
      const flood = () => pump(c, meter, d.endless.opening, Buffer.from(d.endless.line.repeat(1000)));
      if (!d.endless.onRequest) return flood();
      greet(c, d);
      onRequests(c, d, flood, { once: true });
    },
  },

  /** A mebibyte without a newline where the first line should be (HTTP: one header field). */
  "huge-line": {
    behaviour: (c, d, meter) => {
      const huge = () => {
        const bytes = Buffer.from(`${d.hugeLine.prefix}${"x".repeat(MEBIBYTE)}\r\n`, "latin1");
        meter.add(bytes.length);
        c.send(bytes);
      };
      if (!d.hugeLine.onRequest) return huge();
      onRequests(c, d, huge, { once: true });
    },
  },

  /** A line of binary junk instead of the greeting (HTTP: instead of the response). */
  "garbage-greeting": {
    behaviour: (c, d) => {
      const junk = Buffer.concat([garbage(512), Buffer.from("\r\n")]);
      if (hasGreeting(d)) c.send(junk);
      else onRequests(c, d, () => c.socket.end(junk), { once: true });
    },
  },

  /** Another protocol's greeting (sshd on port 25, Postfix on 143, …); hangs up when spoken to. */
  "foreign-greeting": {
    behaviour: (c, d) => {
      c.send(d.foreign);
      c.socket.once("data", () => c.socket.end());
    },
  },

  /** The protocol's own "go away" greeting (554, `* BYE`, `-ERR`; HTTP 503). SSH has none. */
  "refusal-greeting": {
    appliesTo: (d) => d.refusal !== null,
    behaviour: (c, d) => {
      const refusal = d.refusal ?? "";
      if (hasGreeting(d)) {
        c.send(refusal);
        onRequests(c, d, (request) => c.socket.end(textOf(d.answer(request, true))));
      } else onRequests(c, d, () => c.socket.end(refusal), { once: true });
    },
  },

  /** Greeting, then a FIN instead of the first answer (HTTP: the request read, then FIN). */
  "close-after-greeting": {
    behaviour: (c, d) => {
      greet(c, d);
      onRequests(c, d, () => c.socket.end(), { once: true });
    },
  },

  "reset-after-greeting": {
    behaviour: (c, d) => {
      greet(c, d);
      onRequests(c, d, () => resetTcp(c), { once: true });
    },
  },

  /** Greeting, then it reads on but never answers (for HTTP the same as silent). */
  "stall-after-greeting": { behaviour: (c, d) => greet(c, d) },

  /** A prompt greeting, then every answer one byte a second (SSH: the KEXINIT). */
  "drip-replies": {
    behaviour: (c, d) => {
      greet(c, d);
      onRequests(c, d, (request) => c.drip(textOf(d.answer(request, c.secure)), DRIP_INTERVAL_MS));
    },
  },

  /** A valid greeting, then binary junk for the first answer. HTTP has no answer after a greeting. */
  "garbage-after-greeting": {
    appliesTo: hasGreeting,
    behaviour: (c, d) => {
      greet(c, d);
      onRequests(c, d, () => c.send(Buffer.concat([garbage(256), Buffer.from("\r\n")])), { once: true });
    },
  },

  // --- STARTTLS / STLS said yes to, then no TLS (SMTP, IMAP, POP3) ---------------------------

  /** OK to STARTTLS/STLS, then plain text and junk in answer to the ClientHello. */
  "starttls-garbage": {
    appliesTo: hasStartTls,
    behaviour: (c, d) =>
      speak(c, d, (conn) =>
        conn.socket.once("data", () =>
          conn.send(Buffer.concat([Buffer.from("this is not TLS\r\n"), garbage(256)])),
        ),
      ),
  },

  /** OK to STARTTLS/STLS, then a FIN in answer to the ClientHello. */
  "starttls-close": {
    appliesTo: hasStartTls,
    behaviour: (c, d) => speak(c, d, (conn) => conn.socket.once("data", () => conn.socket.end())),
  },

  /** OK to STARTTLS/STLS, then the ClientHello is never answered. */
  "starttls-silence": { appliesTo: hasStartTls, behaviour: (c, d) => speak(c, d, () => {}) },

  // --- implicit TLS (smtps, imaps, pop3s, https) ------------------------------------------------

  /** A plain-text server on the TLS port: its greeting (HTTP: a 400 to the ClientHello) in clear. */
  "plain-on-tls-port": {
    appliesTo: isImplicitTls,
    listen: "tcp",
    behaviour: (c, d) => {
      if (d.greeting !== null) c.send(d.greeting);
      c.socket.once("data", () =>
        c.socket.end(d.greeting === null ? "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n" : ""),
      );
    },
  },

  /** TCP accepted, the ClientHello never answered. */
  "handshake-silence": { appliesTo: isImplicitTls, listen: "tcp", behaviour: () => {} },

  // --- an IMAP literal that never ends ------------------------------------------------------------

  /** `{999999999}` announced in the CAPABILITY answer, then nothing. */
  "imap-literal-silence": {
    appliesTo: only("imap", "imaps"),
    behaviour: (c, d) => imapLiteral(c, d, () => {}),
  },

  /** `{999999999}`, then a byte every 200 ms: never a newline, never the end. */
  "imap-literal-trickle": {
    appliesTo: only("imap", "imaps"),
    behaviour: (c, d) => imapLiteral(c, d, (conn) => conn.drip("y".repeat(100), 200)),
  },

  /** `{999999999}`, then the literal's bytes as fast as they are read (no newline in them). */
  "imap-literal-flood": {
    appliesTo: only("imap", "imaps"),
    behaviour: (c, d, meter) =>
      imapLiteral(c, d, (conn) => pump(conn, meter, "", Buffer.alloc(64 * 1024, "z"))),
  },

  // --- SSH packets ------------------------------------------------------------------------------------

  /** Identification, then a packet announcing ~2 GiB and its bytes as fast as they are read. */
  "ssh-huge-packet": {
    appliesTo: only("ssh"),
    behaviour: (c, d, meter) => {
      greet(c, d);
      onRequests(
        c,
        d,
        () => {
          const head = Buffer.alloc(5);
          head.writeUInt32BE(0x7ffffff8);
          head[4] = 8;
          pump(c, meter, head, Buffer.alloc(64 * 1024, 0x41));
        },
        { once: true },
      );
    },
  },

  /** Identification, then a well-formed KEXINIT of one mebibyte (a 1 MiB kex name-list). */
  "ssh-huge-kexinit": {
    appliesTo: only("ssh"),
    behaviour: (c, d, meter) => {
      greet(c, d);
      onRequests(
        c,
        d,
        () => {
          const bytes = hugeKexinit();
          meter.add(bytes.length);
          c.send(bytes);
        },
        { once: true },
      );
    },
  },

  /**
   * Identification, then a KEXINIT head within every limit (35,000 bytes, the most RFC 4253
   * §6.1 asks a client to take) whose body then trickles a byte every 200 ms: it never ends.
   */
  "ssh-endless-kexinit": {
    appliesTo: only("ssh"),
    behaviour: (c, d) => {
      greet(c, d);
      onRequests(
        c,
        d,
        () => {
          const head = Buffer.alloc(6 + 16);
          head.writeUInt32BE(34_996); // 4 + 34,996 = 35,000, a multiple of 8 as the framing wants
          head[4] = 4; // padding length
          head[5] = 20; // SSH_MSG_KEXINIT
          c.send(head); // the 16 zero bytes are the cookie
          c.drip("\0\0\0\x40curve25519-sha256,".repeat(50), 200);
        },
        { once: true },
      );
    },
  },

  /**
   * Identification, then a good KEXINIT followed by IGNORE packets forever instead of the key
   * exchange's reply: the handshake's own byte budget ends it (the channel's no longer counts).
   */
  "ssh-flood-after-kexinit": {
    appliesTo: only("ssh"),
    behaviour: (c, d, meter) => {
      greet(c, d);
      // without strict KEX (CVE-2023-48795's fix), which forbids IGNORE during the first exchange
      const lists = {
        ...SAMPLE_LISTS,
        kex: SAMPLE_LISTS.kex.filter((name) => !name.startsWith("kex-strict")),
      };
      onRequests(c, d, () => pump(c, meter, kexinitPacket(lists), ignoreFlood()), { once: true });
    },
  },

  /** Identification, then valid SSH_MSG_IGNORE packets forever, as fast as they are read. */
  "ssh-ignore-flood": {
    appliesTo: only("ssh"),
    behaviour: (c, d, meter) => {
      greet(c, d);
      onRequests(c, d, () => pump(c, meter, "", ignoreFlood()), { once: true });
    },
  },
} satisfies Record<string, CaseSpec>;

export type HostileCase = keyof typeof CASES;
export const HOSTILE_CASES = Object.keys(CASES) as HostileCase[];

/** Whether a case exists for a protocol (an IMAP literal makes no sense on an SSH port). */
export function caseApplies(hostileCase: HostileCase, protocol: ProtocolName): boolean {
  const spec: CaseSpec = CASES[hostileCase];
  return spec.appliesTo?.(DIALECTS[protocol]) ?? true;
}

// ---------------------------------------------------------------------------------------------
// The dialogue pieces the cases are made of.

/** The TCP socket under each implicit-TLS socket: a RST has to be sent on the TCP one. */
const tcpUnder = new WeakMap<net.Socket, net.Socket>();

function resetTcp(conn: Conn): void {
  (tcpUnder.get(conn.socket) ?? conn.socket).resetAndDestroy();
}

function textOf(answer: Answer): string {
  return typeof answer.bytes === "string" ? answer.bytes : answer.bytes.toString("latin1");
}

function greet(conn: Conn, dialect: Dialect): void {
  if (dialect.greeting !== null) conn.send(dialect.greeting);
}

/**
 * Calls `onRequest` with each request as the dialect frames it: a line, an HTTP head (at its
 * empty line), or a chunk of bytes. `once`: only the first. Returns a function that stops.
 */
function onRequests(
  conn: Conn,
  dialect: Dialect,
  onRequest: (request: string) => void,
  options: { once?: boolean } = {},
): () => void {
  let done = false;
  const handle = (request: string): void => {
    if (done) return;
    if (options.once) done = true;
    onRequest(request);
  };
  if (dialect.framing === "chunk") {
    const socket = conn.socket;
    const onData = (chunk: Buffer): void => handle(chunk.toString("latin1"));
    socket.on("data", onData);
    return () => socket.off("data", onData);
  }
  let head: string[] = [];
  return conn.onCommand((_verb, line) => {
    if (dialect.framing === "line") return handle(line);
    if (line !== "") head.push(line);
    else if (head.length > 0) {
      const request = head.join("\r\n");
      head = [];
      handle(request);
    }
  });
}

/**
 * A polite session: the greeting, then each request answered; TLS where the protocol upgrades.
 * `breakTls` replaces the TLS server after the OK to STARTTLS/STLS with a misbehaviour.
 */
function speak(conn: Conn, dialect: Dialect, breakTls?: (conn: Conn) => void): void {
  greet(conn, dialect);
  const secure = (): boolean => dialect.implicitTls || conn.secure;
  const stop = onRequests(conn, dialect, (request) => {
    const answer = dialect.answer(request, secure());
    if (answer.next === "tls" && !conn.secure) {
      stop();
      conn.send(answer.bytes);
      if (breakTls) return breakTls(conn);
      const options = { isServer: true, key: TEST_KEY_PEM, cert: TEST_CERT_PEM };
      conn.upgrade(new tls.TLSSocket(conn.socket, options));
      speakInside(conn, dialect);
      return;
    }
    conn.send(answer.bytes);
    if (answer.next === "end") conn.socket.end();
  });
}

/** After STARTTLS: the same answers over TLS, no greeting (RFC 3207, 2595). */
function speakInside(conn: Conn, dialect: Dialect): void {
  onRequests(conn, dialect, (request) => {
    const answer = dialect.answer(request, true);
    conn.send(answer.bytes);
    if (answer.next === "end") conn.socket.end();
  });
}

/** Greeting, then `{999999999}` in answer to CAPABILITY; `rest` sends (or not) the literal. */
function imapLiteral(conn: Conn, dialect: Dialect, rest: (conn: Conn) => void): void {
  greet(conn, dialect);
  onRequests(
    conn,
    dialect,
    () => {
      conn.send("* CAPABILITY {999999999}\r\n");
      rest(conn);
    },
    { once: true },
  );
}

/** `opening`, then `chunk` again and again as fast as the reader takes it, up to the stream cap. */
function pump(conn: Conn, meter: Meter, opening: string | Buffer, chunk: Buffer): void {
  let sent = 0;
  const write = (bytes: Buffer): boolean => {
    sent += bytes.length;
    meter.add(bytes.length);
    return conn.socket.write(bytes);
  };
  if (opening.length > 0) write(typeof opening === "string" ? Buffer.from(opening, "latin1") : opening);
  const more = (): void => {
    while (conn.open && sent < STREAM_CAP_BYTES) {
      if (!write(chunk)) {
        conn.socket.once("drain", more);
        return;
      }
    }
    if (conn.open) conn.socket.end();
  };
  more();
}

/** Eight SSH_MSG_IGNORE packets of 32 KiB each (their string is 0x7ff0 dots): a chunk to pump. */
function ignoreFlood(): Buffer {
  const ignore = packet(Buffer.concat([Buffer.from([2, 0, 0, 0x7f, 0xf0]), Buffer.alloc(0x7ff0, 0x2e)]));
  return Buffer.concat(Array(8).fill(ignore));
}

/** A complete, well-formed KEXINIT packet whose kex name-list alone is a mebibyte. */
function hugeKexinit(): Buffer {
  const list = (names: string): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(names.length);
    return Buffer.concat([length, Buffer.from(names, "latin1")]);
  };
  const kex = `${"x".repeat(60)}@hostile.test,`.repeat(Math.ceil(MEBIBYTE / 74)).replace(/,$/, "");
  const others = [
    "ssh-ed25519",
    "aes128-ctr",
    "aes128-ctr",
    "hmac-sha2-256",
    "hmac-sha2-256",
    "none",
    "none",
    "",
    "",
  ];
  const payload = Buffer.concat([
    Buffer.from([20]),
    Buffer.alloc(16, 0xab),
    list(kex),
    ...others.map(list),
    Buffer.alloc(5),
  ]);
  return packet(payload);
}

// ---------------------------------------------------------------------------------------------

/** One host key for every polite SSH server of a run (Ed25519: generated in a millisecond). */
let sshHostKey: string | undefined;

/** A real SSH server (ssh2's) for the polite case, fed the sockets of our own listener. */
function politeSsh(): (socket: net.Socket) => void {
  sshHostKey ??= sshUtils.generateKeyPairSync("ed25519").private;
  const server = new SshServer(
    { hostKeys: [sshHostKey], ident: "OpenSSH_9.6p1 hostile-fixture" },
    (client) => {
      client.on("error", () => {});
    },
  );
  return (socket) => server.injectSocket(socket);
}

export async function startProtocolHostile(
  protocol: ProtocolName,
  hostileCase: HostileCase,
  where: { ip: string },
): Promise<ProtocolHostileServer> {
  assertLoopback(where.ip);
  const dialect = DIALECTS[protocol];
  const spec: CaseSpec = CASES[hostileCase];
  if (!caseApplies(hostileCase, protocol)) throw new Error(`${hostileCase} does not apply to ${protocol}`);
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let sent = 0;
  const meter: Meter = { add: (bytes) => (sent += bytes) };
  const track = (socket: net.Socket): void => {
    accepted++;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  };

  const listenMode = spec.listen ?? (protocol === "ssh" && hostileCase === "polite" ? "ssh2" : undefined);
  if (listenMode === "none") {
    const placeholder = net.createServer();
    const port = await listen(placeholder, where.ip, 0);
    await stopListening(placeholder);
    return {
      protocol,
      hostileCase,
      ip: where.ip,
      port,
      accepted: () => 0,
      sent: () => 0,
      close: async () => {},
    };
  }
  const run =
    listenMode === "ssh2"
      ? politeSsh()
      : (socket: net.Socket): void => spec.behaviour(new Conn(socket), dialect, meter);
  const server = net.createServer((socket) => {
    track(socket);
    if (!dialect.implicitTls || listenMode === "tcp") return run(socket);
    // implicit TLS by hand rather than tls.Server, to keep the TCP socket for resetTcp
    const secure = new tls.TLSSocket(socket, { isServer: true, key: TEST_KEY_PEM, cert: TEST_CERT_PEM });
    secure.on("error", () => {}); // a scanner that gives up mid-handshake is expected
    tcpUnder.set(secure, socket);
    secure.once("secure", () => run(secure));
  });

  const port = await listen(server, where.ip, 0);
  let closing: Promise<void> | undefined;
  return {
    protocol,
    hostileCase,
    ip: where.ip,
    port,
    accepted: () => accepted,
    sent: () => sent,
    close: () => {
      closing ??= (() => {
        for (const socket of sockets) socket.destroy();
        return stopListening(server);
      })();
      return closing;
    },
  };
}
