/** Opening one TCP connection with a timeout, and naming why it failed. */
import { connect, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type Status, statusForConnectError } from "../core/status.js";

export type TcpResult = { ok: true; socket: Socket } | { ok: false; status: Status; error: string };

/** Errors that say this machine is short of a resource, not anything about the target. */
const LOCAL_PRESSURE = new Set(["EMFILE", "ENFILE", "ENOBUFS", "EAGAIN", "EADDRNOTAVAIL"]);

export async function openTcp(ip: string, port: number, timeoutMs: number): Promise<TcpResult> {
  // Local resource pressure (file descriptors, ephemeral ports) is retried with a backoff
  // rather than recorded as a property of the target.
  for (let attempt = 0; ; attempt++) {
    const result = await attemptTcp(ip, port, timeoutMs);
    if (result.ok || !result.code || !LOCAL_PRESSURE.has(result.code) || attempt >= 20) return result.outcome;
    await sleep(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
  }
}

function attemptTcp(
  ip: string,
  port: number,
  timeoutMs: number,
): Promise<{ ok: boolean; code?: string; outcome: TcpResult }> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, noDelay: true });
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
