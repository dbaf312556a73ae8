/**
 * A TCP connection driven through Node's own TCP handle (the `tcp_wrap` binding that net.Socket
 * is built on), without the net.Socket and stream machinery on top of it.
 *
 * Why by hand: a line-read session needs connect, write, read into one shared buffer, end and
 * close, and nothing of what a Socket adds per connection (two stream states, an event emitter,
 * a dozen closures, a write queue). In the benchmark's namespace a bare loop on the handle ran
 * banner, EHLO, HELP and QUIT at 1.5–1.7× the sessions per second of the same loop on net.Socket,
 * in half the memory. No library offers this; net.Socket itself is the library, and the handle
 * is still libuv underneath, the same epoll loop. When a session needs a stream (STARTTLS), the
 * very same handle is handed to a net.Socket (`toSocket`), so TLS is node:tls as before.
 *
 * The binding is internal to Node: `available()` checks its shape once, and the engine falls
 * back to net.Socket when it is missing or when SMTPSURVEY_TRANSPORT=net asks for it.
 */
import { Socket } from "node:net";
import { getSystemErrorName } from "node:util";

/** What of `process.binding('tcp_wrap')` and `process.binding('stream_wrap')` is used here. */
interface TcpHandle {
  connect(req: ConnectRequest, ip: string, port: number): number;
  connect6(req: ConnectRequest, ip: string, port: number): number;
  readStart(): number;
  readStop(): number;
  useUserBuffer(buffer: Uint8Array): void;
  setNoDelay(on: boolean): number;
  writeBuffer(req: WriteRequest, bytes: Uint8Array): number;
  getsockname(out: { address?: string }): number;
  close(callback?: () => void): void;
  /** must always be a function (the binding asserts it) */
  onread: (arrayBuffer?: ArrayBuffer) => void;
}
interface ConnectRequest {
  oncomplete: (status: number) => void;
}
interface WriteRequest {
  handle: TcpHandle;
  oncomplete: (status: number) => void;
  buffer?: Uint8Array;
}
interface Bindings {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => ConnectRequest;
  WriteWrap: new () => WriteRequest;
  socketType: number;
  state: Int32Array;
  readBytesIndex: number;
  lastWriteAsyncIndex: number;
}

/** a handle that is closing or handed over reads nowhere */
const noRead = (): void => {};

/** libuv's end of stream */
const UV_EOF = -4095;

function loadBindings(): Bindings | null {
  if (process.env.SMTPSURVEY_TRANSPORT === "net") return null;
  try {
    // process.binding is typed as returning `any`-like internals; the shape is checked below
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding;
    const tcp = binding("tcp_wrap");
    const stream = binding("stream_wrap");
    const constants = tcp.constants as { SOCKET?: number } | undefined;
    const state = stream.streamBaseState;
    if (
      typeof tcp.TCP !== "function" ||
      typeof tcp.TCPConnectWrap !== "function" ||
      typeof stream.WriteWrap !== "function" ||
      typeof constants?.SOCKET !== "number" ||
      !(state instanceof Int32Array) ||
      typeof stream.kReadBytesOrError !== "number" ||
      typeof stream.kLastWriteWasAsync !== "number"
    ) {
      return null;
    }
    const bindings: Bindings = {
      TCP: tcp.TCP as Bindings["TCP"],
      TCPConnectWrap: tcp.TCPConnectWrap as Bindings["TCPConnectWrap"],
      WriteWrap: stream.WriteWrap as Bindings["WriteWrap"],
      socketType: constants.SOCKET,
      state,
      readBytesIndex: stream.kReadBytesOrError,
      lastWriteAsyncIndex: stream.kLastWriteWasAsync,
    };
    const probe = new bindings.TCP(bindings.socketType);
    const complete =
      typeof probe.useUserBuffer === "function" &&
      typeof probe.writeBuffer === "function" &&
      typeof probe.getsockname === "function";
    probe.close();
    return complete ? bindings : null;
  } catch {
    return null;
  }
}

let bindings: Bindings | null | undefined;

/** Whether connections can be driven on the handle (checked once per thread). */
export function rawTcpAvailable(): boolean {
  bindings ??= loadBindings();
  return bindings !== null;
}

export interface RawEvents {
  /** the server ended the stream */
  end(): void;
  /** a read or write failed; `code` is the errno name (ECONNRESET, EPIPE, …) */
  error(code: string): void;
}

/** The outcome of a connect: the connection, or the errno name of why not. */
export type RawConnect = { ok: true; tcp: RawTcp } | { ok: false; code: string };

export class RawTcp {
  private events: RawEvents | null = null;
  private closed = false;
  /** set once the handle belongs to a net.Socket */
  private handedOver = false;

  private constructor(
    private readonly handle: TcpHandle,
    private readonly b: Bindings,
  ) {}

  /**
   * Connects; `onBytes` receives every read as a view into `buffer` (valid only during the
   * call). `done` is called exactly once; `cancel()` aborts a connect still under way.
   */
  static connect(
    ip: string,
    port: number,
    v6: boolean,
    buffer: Uint8Array,
    onBytes: (size: number) => void,
    done: (result: RawConnect) => void,
  ): { cancel(): void } {
    const b = bindings ?? loadBindings();
    if (!b) throw new Error("raw TCP handles are not available in this Node");
    const handle = new b.TCP(b.socketType);
    const tcp = new RawTcp(handle, b);
    let settled = false;
    const settle = (result: RawConnect) => {
      if (settled) return;
      settled = true;
      done(result);
    };
    const request = new b.TCPConnectWrap();
    request.oncomplete = (status: number) => {
      if (tcp.closed) return;
      if (status < 0) {
        tcp.destroy();
        settle({ ok: false, code: getSystemErrorName(status) });
        return;
      }
      handle.setNoDelay(true);
      handle.useUserBuffer(buffer);
      // the reader is the connection's own: a closure here would keep this whole connect
      // (its callbacks, the request, the caller's timer) alive for the session's life
      tcp.onBytes = onBytes;
      handle.onread = tcp.reader;
      const started = handle.readStart();
      if (started < 0) {
        tcp.destroy();
        settle({ ok: false, code: getSystemErrorName(started) });
        return;
      }
      settle({ ok: true, tcp });
    };
    const error = v6 ? handle.connect6(request, ip, port) : handle.connect(request, ip, port);
    if (error < 0) {
      tcp.destroy();
      // reported after this call returns, as a connect completion would be
      queueMicrotask(() => settle({ ok: false, code: getSystemErrorName(error) }));
    }
    return {
      cancel: () => {
        settled = true;
        tcp.destroy();
      },
    };
  }

  get destroyed(): boolean {
    return this.closed;
  }

  get localAddress(): string {
    if (this.closed) return "";
    const out: { address?: string } = {};
    return this.handle.getsockname(out) === 0 ? (out.address ?? "") : "";
  }

  listen(events: RawEvents): void {
    this.events = events;
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    const request = new this.b.WriteWrap();
    request.handle = this.handle;
    request.oncomplete = (status: number) => {
      if (status < 0) this.failWith(status);
    };
    const status = this.handle.writeBuffer(request, bytes);
    if (status < 0) {
      this.failWith(status);
      return;
    }
    // an asynchronous write keeps its bytes until it completes
    if (this.b.state[this.b.lastWriteAsyncIndex]) request.buffer = bytes;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.events = null;
    if (this.handedOver) return;
    this.handle.onread = noRead;
    this.handle.close();
  }

  /**
   * The same connection as a net.Socket (for node:tls), reading through `onread` as before;
   * this object is done with it.
   */
  toSocket(onread: { buffer: Uint8Array; callback(size: number, buffer: Uint8Array): boolean }): Socket {
    if (this.closed) throw new Error("the connection is already closed");
    this.handle.readStop();
    this.handle.onread = noRead;
    this.handedOver = true;
    this.closed = true;
    this.events = null;
    // `handle` is how net itself adopts an existing handle (child_process, cluster); typed
    // options do not list it
    return new Socket({ handle: this.handle, onread } as unknown as ConstructorParameters<typeof Socket>[0]);
  }

  private onBytes: (size: number) => void = noRead;
  private readonly reader = (): void => this.onRead();

  private onRead(): void {
    const size = this.b.state[this.b.readBytesIndex] ?? 0;
    if (size > 0) {
      this.onBytes(size);
      return;
    }
    if (size === 0) return;
    if (size === UV_EOF) {
      this.handle.readStop();
      this.events?.end();
      return;
    }
    this.failWith(size);
  }

  private failWith(status: number): void {
    const events = this.events;
    this.destroy();
    events?.error(getSystemErrorName(status));
  }
}
