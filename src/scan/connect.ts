/** Opening one TCP connection with a timeout, and naming why it failed. */
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type Status, statusForConnectError } from "../core/status.js";

export type TcpResult = { ok: true; socket: Socket } | { ok: false; status: Status; error: string };

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

/** `route`: the socket is read through it (onread) instead of as a stream. */
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

function attemptTcp(
  ip: string,
  port: number,
  timeoutMs: number,
  route: ReadRoute | undefined,
): Promise<{ ok: boolean; code?: string; outcome: TcpResult }> {
  return new Promise((resolve) => {
    const socket = connect(
      route ? { host: ip, port, noDelay: true, onread: route.onread } : { host: ip, port, noDelay: true },
    );
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({
        ok: false,
        outcome: {
          ok: false,
          status: "connect-timeout",
          error: `no answer to the TCP handshake in ${timeoutMs} ms`,
        },
      });
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
