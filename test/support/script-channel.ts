/**
 * A Channel for offline protocol tests: serves scripted server lines in order, records what the
 * client wrote, and answers startTls with a given handshake. When the script runs out, reads
 * fail as a closed connection would.
 */

import { escapeBytes } from "../../src/core/escape.js";
import { ChannelError } from "../../src/core/status.js";
import type { Channel, ConnectResult, SessionContext, TlsHandshake } from "../../src/protocols/types.js";

export const NO_TLS: TlsHandshake = {
  version: null,
  cipher: null,
  chainDer: [],
  error: "no TLS in this script",
};

export class ScriptChannel implements Channel {
  readonly written: string[] = [];
  private readonly queue: Buffer[];

  constructor(
    lines: readonly string[],
    private readonly handshake: TlsHandshake = NO_TLS,
    readonly ip = "127.0.0.1",
    readonly port = 143,
  ) {
    this.queue = lines.map((line) => Buffer.from(line, "latin1"));
  }

  localAddress(): string {
    return "127.0.0.1";
  }

  elapsed(): number {
    return 0;
  }

  deadlineIn(ms: number): number {
    return ms;
  }

  async readLine(): Promise<Buffer> {
    const next = this.queue.shift();
    if (!next) throw new ChannelError("closed", "connection closed by the server");
    return next;
  }

  async readText(): Promise<string> {
    return escapeBytes(await this.readLine());
  }

  async write(data: string | Buffer): Promise<void> {
    this.written.push(data.toString().replace(/\r\n$/, ""));
  }

  async startTls(): Promise<TlsHandshake> {
    return this.handshake;
  }

  takeStream(): never {
    throw new Error("not in a scripted test");
  }

  note(): void {}

  close(): void {}
}

/** A session context whose one connection is the given channel. */
export function scriptContext(
  channel: ScriptChannel,
  options: Partial<SessionContext["options"]> = {},
  ptr: string | null = null,
): SessionContext {
  return {
    ip: channel.ip,
    port: channel.port,
    options: { ehloName: "scanner.test", starttls: "auto", replyTimeoutMs: 1000, probes: [], ...options },
    connect: async (): Promise<ConnectResult> => ({ ok: true, channel }),
    reverseName: async () => ptr,
  };
}
