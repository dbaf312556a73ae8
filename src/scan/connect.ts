/** Opening one TCP connection with a timeout, and naming why it failed. */
import { connect, isIPv6, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type Status, statusForConnectError } from "../core/status.js";
import { RawTcp, rawTcpAvailable } from "./raw-tcp.js";

/** A connection: a net.Socket, or (line-read connections) the bare handle under one. */
export type Connection = Socket | RawTcp;
export type TcpResult = { ok: true; socket: Connection } | { ok: false; status: Status; error: string };

/**
 * Every line-read socket reads into this one buffer (net's `onread`): no 64 KiB allocation per
 * read, which at 10,000 sessions in flight was most of the heap's churn and the RSS. Safe to
 * share because the callback runs synchronously after each read; whoever keeps bytes copies them.
 */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Where a socket's reads go: its channel once attached; copies kept until then. */
export class ReadRoute {
  private target: ((bytes: Buffer) => void) | null = null;
  private early: Buffer[] = [];

  readonly onread = {
    buffer: SHARED_READ_BUFFER,
    callback: (size: number, buffer: Buffer): boolean => {
      const view = buffer.subarray(0, size);
      if (this.target) this.target(view);
      else this.early.push(Buffer.from(view));
      return true;
    },
  };

  /** The same, for a reader that fills the shared buffer itself (raw-tcp.ts): `size` bytes. */
  readonly onSharedRead = (size: number): void => {
    this.onread.callback(size, SHARED_READ_BUFFER);
  };

  /** From now on reads go to `target` (a view into the shared buffer: copy what is kept). */
  attach(target: (bytes: Buffer) => void): void {
    this.target = target;
    const early = this.early;
    this.early = [];
    for (const chunk of early) target(chunk);
  }
}

/** Errors that say this machine is short of a resource, not anything about the target. */
const LOCAL_PRESSURE = new Set(["EMFILE", "ENFILE", "ENOBUFS", "EAGAIN", "EADDRNOTAVAIL"]);

/**
 * `route`: the connection is read through it (into the shared buffer) instead of as a stream,
 * and is driven on the bare TCP handle where this Node allows it (raw-tcp.ts says why).
 */
export async function openTcp(
  ip: string,
  port: number,
  timeoutMs: number,
  route?: ReadRoute,
): Promise<TcpResult> {
  // Local resource pressure (file descriptors, ephemeral ports) is retried with a backoff
  // rather than recorded as a property of the target.
  for (let attempt = 0; ; attempt++) {
    const result = await attemptTcp(ip, port, timeoutMs, route);
    if (result.ok || !result.code || !LOCAL_PRESSURE.has(result.code) || attempt >= 20) return result.outcome;
    await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
  }
}

interface Attempt {
  ok: boolean;
  code?: string;
  outcome: TcpResult;
}

function connectTimeout(timeoutMs: number): Attempt {
  return {
    ok: false,
    outcome: {
      ok: false,
      status: "connect-timeout",
      error: `no answer to the TCP handshake in ${timeoutMs} ms`,
    },
  };
}

function connectFailure(code: string): Attempt {
  return { ok: false, code, outcome: { ok: false, status: statusForConnectError(code), error: code } };
}

function attemptTcp(
  ip: string,
  port: number,
  timeoutMs: number,
  route: ReadRoute | undefined,
): Promise<Attempt> {
  if (route && rawTcpAvailable()) return attemptRaw(ip, port, timeoutMs, route);
  return new Promise((resolve) => {
    const socket = connect(
      route ? { host: ip, port, noDelay: true, onread: route.onread } : { host: ip, port, noDelay: true },
    );
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(connectTimeout(timeoutMs));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      // The once-listener above stays until the channel attaches its own; a late error is harmless.
      resolve({ ok: true, outcome: { ok: true, socket } });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        ok: false,
        code: error.code,
        outcome: { ok: false, status: statusForConnectError(error.code), error: error.code ?? error.message },
      });
    });
  });
}

function attemptRaw(ip: string, port: number, timeoutMs: number, route: ReadRoute): Promise<Attempt> {
  return new Promise((resolve) => {
    const attempt = RawTcp.connect(
      ip,
      port,
      isIPv6(ip),
      SHARED_READ_BUFFER,
      // not a closure of this scope, which would keep the timer and this promise alive
      route.onSharedRead,
      (result) => {
        clearTimeout(timer);
        resolve(
          result.ok ? { ok: true, outcome: { ok: true, socket: result.tcp } } : connectFailure(result.code),
        );
      },
    );
    const timer = setTimeout(() => {
      attempt.cancel();
      resolve(connectTimeout(timeoutMs));
    }, timeoutMs);
  });
}
