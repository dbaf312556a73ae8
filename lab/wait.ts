/** Start-up checks: a daemon is up when its port accepts TCP and, for protocols where the server speaks first, sends a line. */
import { connect } from "node:net";

/** Protocols whose server greets first: their first line proves the daemon really serves (Sendmail delays it ~1 s). */
const SPEAKS_FIRST = new Set(["smtp", "submission", "lmtp", "pop3", "imap", "ssh"]);

export function speaksFirst(protocol: string): boolean {
  return SPEAKS_FIRST.has(protocol);
}

type Attempt = { kind: "refused" } | { kind: "connected"; firstLine: string | undefined };

function attempt(ip: string, port: number, readLine: boolean, lineTimeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    let buffered = "";
    const finish = (result: Attempt) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    let timer = setTimeout(() => finish({ kind: "refused" }), 1000);
    socket.on("error", () => finish({ kind: "refused" }));
    socket.on("connect", () => {
      if (!readLine) return finish({ kind: "connected", firstLine: undefined });
      clearTimeout(timer);
      timer = setTimeout(() => finish({ kind: "connected", firstLine: undefined }), lineTimeoutMs);
    });
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      const end = buffered.indexOf("\n");
      if (end < 0) return;
      // say goodbye politely so the daemon's log shows a clean probe, not a dropped connection
      socket.end("QUIT\r\n");
      finish({ kind: "connected", firstLine: buffered.slice(0, end).replace(/\r$/, "") });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until ip:port accepts a connection (and, for greeting protocols, a line arrives). Fails early
 * when `alive()` says the daemon died. Returns the first line, if any.
 */
export async function waitForEndpoint(
  ip: string,
  port: number,
  protocol: string,
  alive: () => boolean,
  timeoutMs = 30_000,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  const wantLine = speaksFirst(protocol);
  let lastProblem = "connection refused";
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`exited before ${ip}:${port} was up`);
    const result = await attempt(ip, port, wantLine, Math.min(5000, Math.max(1000, deadline - Date.now())));
    if (result.kind === "connected") {
      if (!wantLine || result.firstLine !== undefined) return result.firstLine;
      lastProblem = "accepted TCP but sent no greeting line";
    }
    await sleep(200);
  }
  throw new Error(`${ip}:${port} not up after ${Math.round(timeoutMs / 1000)} s (${lastProblem})`);
}
