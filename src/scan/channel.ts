/**
 * A connected stream with the engine's rules built in: line framing (CRLF or bare LF), a
 * deadline on every read, byte caps on a line and on the whole session, a transcript of every
 * line each way, and the TLS upgrade. Protocols see only the Channel interface.
 */
import type { Socket } from "node:net";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { createSecureContext, type SecureContext, type TLSSocket, connect as tlsConnect } from "node:tls";
import { escapeBytes, escapeRange } from "../core/escape.js";
import { ChannelError } from "../core/status.js";
import type { Channel, TlsHandshake } from "../protocols/types.js";
import type { TranscriptEntry } from "../store/schema.js";
import type { Connection, ReadRoute } from "./connect.js";
import { RawTcp } from "./raw-tcp.js";

export interface ChannelLimits {
  /** longest line accepted, in bytes */
  lineBytes: number;
  /** most bytes received over the whole connection */
  sessionBytes: number;
  /** absolute deadline (performance.now() clock) for the whole connection */
  sessionDeadline: number;
}

export interface ChannelClock {
  /** performance.now() at the record's start: transcript offsets are measured from it */
  origin: number;
}

const EMPTY = Buffer.alloc(0);
const CRLF = Buffer.from("\r\n");

let sharedContext: SecureContext | undefined;

/**
 * One TLS context for every handshake (building one per connection cost ~5% CPU). Survey every
 * server as it is: old protocol versions and weak suites are data, not errors.
 */
function surveyContext(): SecureContext {
  sharedContext ??= createSecureContext({ minVersion: "TLSv1", ciphers: "ALL:@SECLEVEL=0" });
  return sharedContext;
}

interface Waiter {
  /** the line's bytes, or its text when `text` (readText) */
  resolve(line: Buffer | string): void;
  reject(error: ChannelError): void;
  text: boolean;
  /** when the read gives up (performance.now() ms): its own deadline or the session's */
  deadline: number;
  /** the deadline is the session's: then the failure is `session-timeout` */
  sessionBound: boolean;
}

/** A timer may run this much before the deadline it was set for (Node counts from the loop's cached time). */
const EARLY_MS = 1;

export class SocketChannel implements Channel {
  private socket: Connection;
  private pending: Buffer = EMPTY;
  private received = 0;
  private ended = false;
  private failure: ChannelError | null = null;
  private waiter: Waiter | null = null;
  private closed = false;
  /** the last line takeLine took, as text: the transcript's string, which readText hands out too */
  private lineText = "";
  /** ... and as bytes: lineFrom[0, lineEnd), line ending cut off (a view is made only for readLine) */
  private lineFrom: Buffer = EMPTY;
  private lineEnd = 0;
  private readonly onData = (chunk: Buffer) => this.handleData(chunk);
  private readonly onEnd = () => this.handleEnd();
  private readonly onError = (error: NodeJS.ErrnoException) => this.handleError(error.code ?? error.message);

  constructor(
    socket: Connection,
    readonly ip: string,
    readonly port: number,
    private readonly conn: number,
    private readonly transcript: TranscriptEntry[],
    private readonly limits: ChannelLimits,
    private readonly clock: ChannelClock,
    private readonly onClose: () => void,
    /** the plain socket's reads (onread) when it was opened for line reading; null: a stream */
    private readonly route: ReadRoute | null = null,
  ) {
    this.socket = socket;
    if (socket instanceof RawTcp) socket.listen({ end: this.onEnd, error: (code) => this.handleError(code) });
    else this.attach(socket, route === null);
    route?.attach((view) => this.handleData(view, false));
    // The whole-connection cap holds even when a library reads the stream itself (takeStream).
    this.armTimer(limits.sessionDeadline);
  }

  /**
   * One timer per channel for the session cap and every read's deadline. A read that ends in
   * time leaves it as it is (most do: a reply takes milliseconds, its deadline is seconds away)
   * and a later read keeps it when it is due no later than that read's deadline; when it goes
   * off early for what is waiting now, it is set again. A timer per read, set and cleared, was
   * three or four Timeout objects a session.
   */
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private readonly onTimer = () => this.timerDue();

  /** Makes sure the timer goes off by `at` (performance.now() ms). */
  private armTimer(at: number): void {
    if (this.closed || (this.timer && this.timerAt <= at)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // whole milliseconds: Node keeps one timer list per distinct duration, and fractions made
    // nearly every wait a list of its own
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(at - performance.now())));
  }

  private timerDue(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    if (this.closed) return;
    const now = performance.now();
    if (now + EARLY_MS >= this.limits.sessionDeadline) {
      this.fail(new ChannelError("session-timeout", "the whole-session time cap was reached"));
      return;
    }
    const waiter = this.waiter;
    if (waiter && now + EARLY_MS >= waiter.deadline) {
      // A loop kept busy past the deadline (thousands of sessions' work on one thread) runs
      // its timers before it polls the sockets, so a reply that came in time may still sit
      // unread: give the poll phase one turn (setImmediate runs after it) before giving up.
      setImmediate(() => {
        if (this.waiter !== waiter) return; // the line came meanwhile
        this.waiter = null;
        waiter.reject(
          waiter.sessionBound
            ? new ChannelError("session-timeout", "the whole-session time cap was reached")
            : new ChannelError("timeout", "no complete reply before the deadline"),
        );
      });
      this.armTimer(this.limits.sessionDeadline);
      return;
    }
    this.armTimer(waiter ? waiter.deadline : this.limits.sessionDeadline);
  }

  takeStream(): Duplex {
    const socket = this.socket;
    if (this.route || socket instanceof RawTcp)
      throw new Error("takeStream on a connection opened for line reading: connect({ stream: true })");
    this.detach(socket);
    if (this.pending.length > 0) {
      socket.unshift(this.pending);
      this.pending = EMPTY;
    }
    this.note("stream handed to the protocol's library");
    return socket;
  }

  localAddress(): string {
    return this.socket.localAddress ?? "";
  }

  elapsed(): number {
    return Math.round(performance.now() - this.clock.origin);
  }

  deadlineIn(ms: number): number {
    return performance.now() + ms;
  }

  note(text: string): void {
    this.transcript.push({ t: this.elapsed(), conn: this.conn, dir: "I", data: text });
  }

  readLine(deadline: number): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new ChannelError("closed", "concurrent reads on one channel"));
    if (this.takeLine()) return Promise.resolve(this.lineBytes());
    return this.waitForLine(deadline, false) as Promise<Buffer>;
  }

  readText(deadline: number): string | Promise<string> {
    if (this.waiter) return Promise.reject(new ChannelError("closed", "concurrent reads on one channel"));
    // a line already here costs no promise: most reply lines come several to a read
    if (this.takeLine()) return this.lineText;
    return this.waitForLine(deadline, true) as Promise<string>;
  }

  private waitForLine(deadline: number, text: boolean): Promise<Buffer | string> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new ChannelError("closed", "connection closed by the server"));
    const sessionBound = deadline >= this.limits.sessionDeadline;
    const limit = Math.min(deadline, this.limits.sessionDeadline);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject, text, deadline: limit, sessionBound };
      this.armTimer(limit);
    });
  }

  write(data: string | Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed) {
      return Promise.reject(this.failure ?? new ChannelError("closed", "connection already closed"));
    }
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    const t = this.elapsed();
    // pipelined commands (one write, several lines) keep a transcript line each, as if sent apart
    let start = 0;
    for (
      let end = bytes.indexOf(CRLF);
      end !== -1 && end + 2 < bytes.length;
      end = bytes.indexOf(CRLF, start)
    ) {
      this.transcript.push({ t, conn: this.conn, dir: "C", data: escapeBytes(bytes.subarray(start, end)) });
      start = end + 2;
    }
    this.transcript.push({
      t,
      conn: this.conn,
      dir: "C",
      data: escapeBytes(stripEol(bytes.subarray(start))),
    });
    this.socket.write(bytes);
    return Promise.resolve();
  }

  startTls(deadline: number, servername?: string): Promise<TlsHandshake> {
    const current = this.socket;
    // TLS is node:tls on a net.Socket: a bare handle is handed to one first
    const plain = current instanceof RawTcp ? current.toSocket(this.routeOfBare().onread) : current;
    this.socket = plain;
    this.detach(plain);
    // TLS now reads the socket itself; nothing more comes through the route
    this.route?.attach(ignoreBytes);
    if (this.pending.length > 0) {
      this.note(`discarded ${this.pending.length} bytes received before the TLS handshake`);
      this.pending = EMPTY;
    }
    const limit = Math.min(deadline, this.limits.sessionDeadline);
    return new Promise((resolve) => {
      const secure: TLSSocket = tlsConnect({
        socket: plain,
        rejectUnauthorized: false,
        secureContext: surveyContext(),
        ...(servername && isIP(servername) === 0 ? { servername } : {}),
      });
      let settled = false;
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        secure.removeListener("secureConnect", onSecure);
        const result: TlsHandshake = {
          version: secure.getProtocol() ?? null,
          cipher: secure.getCipher()?.standardName ?? secure.getCipher()?.name ?? null,
          chainDer: peerChain(secure),
          error,
        };
        if (error) {
          if (result.version === "unknown") result.version = null;
          this.note(`TLS handshake failed: ${error}`);
          this.failure = new ChannelError("closed", `TLS failed: ${error}`);
          secure.on("error", () => {});
          secure.destroy();
          this.close();
        } else {
          this.note(`TLS ${result.version} ${result.cipher}`);
          this.socket = secure;
          this.attach(secure, true);
        }
        resolve(result);
      };
      const onSecure = () => finish(null);
      const timer = setTimeout(
        () => finish("TLS handshake timed out"),
        Math.max(0, limit - performance.now()),
      );
      secure.once("secureConnect", onSecure);
      secure.once("error", (error: Error) => finish(tlsErrorText(error)));
      secure.once("close", () => finish("connection closed during the TLS handshake"));
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.waiter) this.rejectWaiter(new ChannelError("closed", "channel closed"));
    this.socket.destroy();
    this.onClose();
  }

  private attach(socket: Socket, dataEvents: boolean): void {
    if (dataEvents) socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
  }

  private detach(socket: Socket): void {
    socket.removeListener("data", this.onData);
    socket.removeListener("end", this.onEnd);
    socket.removeListener("close", this.onEnd);
    socket.removeListener("error", this.onError);
  }

  /** `owned`: the chunk is ours to keep; otherwise a view into the shared read buffer, copied */
  private handleData(chunk: Buffer, owned = true): void {
    if (this.failure) return;
    this.received += chunk.length;
    if (this.received > this.limits.sessionBytes) {
      this.fail(new ChannelError("too-long", `the session sent more than ${this.limits.sessionBytes} bytes`));
      return;
    }
    if (this.pending.length > 0) this.pending = Buffer.concat([this.pending, chunk]);
    else this.pending = owned ? chunk : Buffer.from(chunk);
    // The unfinished line is whatever follows the last newline (a chunk can hold a short line
    // and the start of an endless one).
    if (this.pending.length - 1 - this.pending.lastIndexOf(0x0a) > this.limits.lineBytes) {
      this.fail(new ChannelError("too-long", `a line longer than ${this.limits.lineBytes} bytes`));
      return;
    }
    this.deliver();
  }

  private handleEnd(): void {
    this.ended = true;
    this.deliver();
  }

  /** a bare handle is only ever opened for line reading, with a route */
  private routeOfBare(): ReadRoute {
    if (!this.route) throw new Error("a bare connection without a read route");
    return this.route;
  }

  /** `code`: the errno name (or the message when there is none) */
  private handleError(code: string): void {
    const failure =
      code === "ECONNRESET" || code === "EPIPE"
        ? new ChannelError("reset", "connection reset by the server")
        : new ChannelError("closed", `connection error: ${code}`);
    this.fail(failure);
  }

  private fail(failure: ChannelError): void {
    if (!this.failure) this.failure = failure;
    this.ended = true;
    this.socket.destroy();
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiter) return;
    if (this.takeLine()) {
      const { resolve, text } = this.waiter;
      this.waiter = null;
      resolve(text ? this.lineText : this.lineBytes());
    } else if (this.failure) {
      this.rejectWaiter(this.failure);
    } else if (this.ended) {
      this.rejectWaiter(new ChannelError("closed", "connection closed by the server"));
    }
  }

  private rejectWaiter(error: ChannelError): void {
    if (!this.waiter) return;
    const { reject } = this.waiter;
    this.waiter = null;
    reject(error);
  }

  /**
   * Takes one complete line from the buffer (at the end of the stream, what is left counts as a
   * line) into lineText and lineFrom/lineEnd; false when there is none yet.
   */
  private takeLine(): boolean {
    const line = this.pending;
    const newline = line.indexOf(0x0a);
    let end: number;
    if (newline >= 0) end = newline;
    else if (this.ended && line.length > 0 && !this.failure) end = line.length;
    else return false;
    if (end > this.limits.lineBytes) {
      this.failure = new ChannelError("too-long", `a line longer than ${this.limits.lineBytes} bytes`);
      return false;
    }
    this.pending = newline >= 0 ? line.subarray(newline + 1) : EMPTY;
    this.lineFrom = line;
    this.lineEnd = end > 0 && line[end - 1] === 0x0d ? end - 1 : end;
    this.lineText = escapeRange(line, 0, this.lineEnd);
    this.transcript.push({ t: this.elapsed(), conn: this.conn, dir: "S", data: this.lineText });
    return true;
  }

  /** The line takeLine took, as a view (not a copy: pending's bytes are this channel's own). */
  private lineBytes(): Buffer {
    return this.lineFrom.subarray(0, this.lineEnd);
  }
}

function ignoreBytes(): void {}

function stripEol(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end -= 1;
  return bytes.subarray(0, end);
}

/** OpenSSL's messages carry file paths and line numbers; keep the reason and the alert. */
function tlsErrorText(error: Error & { reason?: string; code?: string }): string {
  const alert = /SSL alert number (\d+)/.exec(error.message)?.[1];
  if (error.reason) return `${error.reason}${alert ? ` (alert ${alert})` : ""}`;
  return error.message.trim();
}

/** The peer's chain as DER, leaf first, as far as the server sent it. */
function peerChain(socket: TLSSocket): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  let cert = socket.getPeerCertificate(true);
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(Buffer.from(cert.raw));
    cert = cert.issuerCertificate;
  }
  return chain;
}
