/**
 * One short SSH handshake over a connection the engine opens: the server's identification line
 * (read through the channel, so it is in the transcript and bounded like any greeting), then
 * ssh2 runs the key exchange on the raw stream. We keep the host key the server signed with and
 * hang up as soon as the key exchange is done: no service request, never authentication.
 */
import type {
  AlgorithmList,
  Client,
  ClientErrorExtensions,
  NegotiatedAlgorithms,
  ServerHostKeyAlgorithm,
} from "ssh2";
import { escapeBytes } from "../../core/escape.js";
import type { Status } from "../../core/status.js";
import { classifyFailure, ProtocolMismatch } from "../failure.js";
import { opensshFingerprint } from "../keys/ssh-key.js";
import type { Channel, SessionContext } from "../types.js";
import { KexinitTap, type KexLists } from "./kexinit.js";

export interface HandshakeResult {
  /** ok once an SSH-2 server has identified itself and sent its KEXINIT */
  status: Status;
  error: string | null;
  ident: string | null;
  kex: KexLists | null;
  /** the key the server signed the exchange with, and the algorithm negotiated for it */
  key: { blob: Buffer; algorithm: string } | null;
  /** why there is no key */
  keyError: string | null;
  /** the key exchange ran into the reply timeout (a tarpit, or a server too slow to bother again) */
  timedOut: boolean;
}

/** Lines a server may send before its identification (RFC 4253 §4.2); more is not SSH. */
const MAX_LINES_BEFORE_IDENT = 20;
/**
 * What a server may send during one key exchange: a KEXINIT (≤ 35,000 bytes in ssh2), a DH
 * reply with its key and signature, NEWKEYS, and some IGNORE/DEBUG. The channel's byte cap stops
 * counting once ssh2 has the stream (takeStream), so the handshake keeps its own.
 */
const MAX_HANDSHAKE_BYTES = 256 * 1024;
/** What we send as our identification: `SSH-2.0-smtpsurvey`. */
const CLIENT_SOFTWARE = "smtpsurvey";

const failed = (status: Status, error: string, ident: string | null = null): HandshakeResult => ({
  status,
  error,
  ident,
  kex: null,
  key: null,
  keyError: error,
  timedOut: false,
});

/** The identification line; lines before it are allowed, anything else ends in ProtocolMismatch. */
async function readIdent(channel: Channel, deadline: number): Promise<Buffer> {
  let first: string | null = null;
  for (let i = 0; i <= MAX_LINES_BEFORE_IDENT; i++) {
    let line: Buffer;
    try {
      line = await channel.readLine(deadline);
    } catch (failure) {
      // a server that spoke but never said SSH- is something else, whatever then happened
      if (first !== null) throw new ProtocolMismatch("ssh", first);
      throw failure;
    }
    if (line.subarray(0, 4).toString("latin1") === "SSH-") return line;
    // escaped: the line ends up in the record's `error`, and raw bytes (NUL…) must never
    first ??= escapeBytes(line);
  }
  throw new ProtocolMismatch("ssh", first ?? "");
}

/**
 * Everything ssh2 can do, as one algorithm list (its documented `append` with a RegExp): old
 * servers speak only group1-sha1 or 3des-cbc, and weak algorithms are data in a survey.
 * The casts: @types/ssh2 has no RegExp in AlgorithmList, though ssh2's README documents it.
 */
function everySupported<T>(): AlgorithmList<T> {
  return { append: [/./] } as unknown as AlgorithmList<T>;
}

export async function sshHandshake(
  ctx: SessionContext,
  hostKeyAlgorithms: readonly ServerHostKeyAlgorithm[],
): Promise<HandshakeResult> {
  const SshClient = await sshClientClass();
  // ssh2 reads the stream itself once the identification line is in
  const connected = await ctx.connect({ stream: true });
  if (!connected.ok) return failed(connected.status, connected.error);
  const channel = connected.channel;
  try {
    const deadline = channel.deadlineIn(ctx.options.replyTimeoutMs);
    let identBytes: Buffer;
    try {
      identBytes = await readIdent(channel, deadline);
    } catch (failure) {
      const { status, error } = classifyFailure(failure, "greeting");
      return failed(status, error);
    }
    const ident = identBytes.toString("latin1");
    const version = /^SSH-(\d+\.\d+)-/.exec(ident)?.[1];
    if (version !== "2.0" && version !== "1.99") {
      return failed("protocol-error", `SSH protocol ${version ?? "?"} only: no SSH-2 key exchange`, ident);
    }
    channel.note(`offering host key algorithms ${hostKeyAlgorithms.join(",")}`);
    return await keyExchange(channel, identBytes, hostKeyAlgorithms, deadline - performance.now(), SshClient);
  } finally {
    channel.close();
  }
}

let loadedClient: typeof Client | undefined;

/**
 * ssh2 is loaded on the first SSH session, not at start: it is 14 MB of memory in every engine
 * thread, and most grabs never speak SSH.
 */
async function sshClientClass(): Promise<typeof Client> {
  loadedClient ??= (await import("ssh2")).Client;
  return loadedClient;
}

function keyExchange(
  channel: Channel,
  identBytes: Buffer,
  hostKeyAlgorithms: readonly ServerHostKeyAlgorithm[],
  timeLeftMs: number,
  SshClient: typeof Client,
): Promise<HandshakeResult> {
  const ident = identBytes.toString("latin1");
  const stream = channel.takeStream();
  try {
    // ssh2 must see the identification too (it is hashed into the exchange): put it back in front
    stream.unshift(Buffer.concat([identBytes, Buffer.from("\r\n")]));
  } catch {
    return Promise.resolve(failed("closed", "connection closed after the identification", ident));
  }
  const tap = new KexinitTap();
  const client = new SshClient();
  let captured: Buffer | null = null;

  return new Promise((resolve) => {
    let settled = false;
    const finish = (key: HandshakeResult["key"], keyError: string | null, ending: Ending) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeAllListeners("handshake");
      client.removeAllListeners("close");
      client.end();
      if (tap.result) channel.note(`server KEXINIT; host key algorithms ${tap.result.host_key.join(",")}`);
      channel.note(
        key ? `host key (${key.algorithm}) ${opensshFingerprint(key.blob)}` : `no host key: ${keyError}`,
      );
      resolve(outcome(ident, tap, key, keyError, ending));
    };
    const timer = setTimeout(
      () => finish(null, "no host key before the reply timeout", "timeout"),
      Math.max(0, timeLeftMs),
    );
    // errors after we are done (ssh2 reporting the hang-up) are of no interest
    client.on("error", (error: Error & ClientErrorExtensions & { code?: unknown }) =>
      finish(null, error.message, socketEnding(error)),
    );
    client.on("close", () => finish(null, "connection closed before the key exchange finished", "closed"));
    client.on("handshake", (negotiated: NegotiatedAlgorithms) => {
      // the server's signature over the exchange has been verified: the key is really its own
      if (captured) finish({ blob: captured, algorithm: negotiated.serverHostKey }, null, null);
      else finish(null, "the key exchange finished without a host key", null);
    });
    client.connect({
      sock: stream,
      username: "smtpsurvey-never-authenticates",
      ident: CLIENT_SOFTWARE,
      readyTimeout: 0, // the timer above bounds the handshake
      algorithms: {
        kex: everySupported(),
        cipher: everySupported(),
        hmac: everySupported(),
        compress: everySupported(),
        serverHostKey: [...hostKeyAlgorithms],
      },
      hostVerifier: (key: Buffer) => {
        captured = Buffer.from(key);
        return true;
      },
    });
    // ssh2 has paused the stream and resumes it later: this listener sees every byte, first
    let received = 0;
    stream.on("data", (chunk: Buffer) => {
      tap.push(chunk);
      received += chunk.length;
      // not SSH after all (a huge first packet, no KEXINIT in its budget): ssh2 might wait on
      if (tap.error) finish(null, tap.error, null);
      else if (received > MAX_HANDSHAKE_BYTES) {
        finish(null, `more than ${MAX_HANDSHAKE_BYTES} bytes during the key exchange`, "too-long");
      }
    });
  });
}

/** How a connection ended when it did not end with a key: null for an SSH-level failure. */
type Ending = "closed" | "reset" | "timeout" | "too-long" | null;

/** ssh2 passes the socket's own errors on with level "client-socket". */
function socketEnding(error: ClientErrorExtensions & { code?: unknown }): Ending {
  if (error.level !== "client-socket") return null;
  return error.code === "ECONNRESET" || error.code === "EPIPE" ? "reset" : "closed";
}

/**
 * The status of a handshake: ok once the KEXINIT arrived (a failed key exchange is a key error,
 * not a failed session); otherwise what stopped us before it.
 */
function outcome(
  ident: string,
  tap: KexinitTap,
  key: HandshakeResult["key"],
  keyError: string | null,
  ending: Ending,
): HandshakeResult {
  const base = { ident, kex: tap.result, key, keyError, timedOut: ending === "timeout" };
  if (tap.result) return { ...base, status: "ok", error: null };
  if (tap.error) return { ...base, status: "protocol-error", error: tap.error };
  const error = keyError ?? "no KEXINIT from the server";
  if (ending === "timeout") return { ...base, status: "reply-timeout", error };
  if (ending === "closed" || ending === "reset" || ending === "too-long")
    return { ...base, status: ending, error };
  return { ...base, status: "protocol-error", error };
}
