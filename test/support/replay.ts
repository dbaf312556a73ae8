/**
 * Replays a recorded session (a golden fixture) through a protocol without a network: each
 * connection of the record becomes a Channel that serves the server's lines in order and checks
 * that the client sends exactly what it sent then.
 */
import { X509Certificate } from "node:crypto";
import { escapeBytes, unescapeBytes } from "../../src/core/escape.js";
import { ChannelError } from "../../src/core/status.js";
import type {
  Channel,
  ConnectResult,
  Protocol,
  ProtocolOptions,
  SessionOutcome,
  TlsHandshake,
} from "../../src/protocols/types.js";
import type { ScanRecord, TranscriptEntry } from "../../src/store/schema.js";

class ReplayChannel implements Channel {
  private position = 0;
  readonly sent: string[] = [];
  /** lines of a pipelined write not yet met in the recording (it may have them after a reply) */
  private readonly queued: string[] = [];

  constructor(
    readonly ip: string,
    readonly port: number,
    private readonly entries: TranscriptEntry[],
    private readonly record: ScanRecord,
  ) {}

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
    this.skipNotes();
    // commands pipelined in one write meet their recorded lines wherever those were sent
    while (this.queued.length > 0 && this.entries[this.position]?.dir === "C") {
      this.expect(this.queued.shift() as string);
      this.skipNotes();
    }
    const next = this.entries[this.position];
    if (next?.dir !== "S") throw new ChannelError("closed", "the recording has no more server lines here");
    this.position += 1;
    return unescapeBytes(next.data);
  }

  async readText(): Promise<string> {
    return escapeBytes(await this.readLine());
  }

  async write(data: string | Buffer): Promise<void> {
    const text = (typeof data === "string" ? data : data.toString("latin1")).replace(/\r?\n$/, "");
    const [first, ...later] = text.split(/\r?\n/);
    for (const line of [...this.queued.splice(0), first as string]) this.expect(line);
    this.queued.push(...later);
  }

  /** The next recorded line must be this command. */
  private expect(text: string): void {
    this.skipNotes();
    const expected = this.entries[this.position];
    if (expected?.dir !== "C" || unescapeBytes(expected.data).toString("latin1") !== text) {
      throw new Error(
        `replay diverged: sent ${JSON.stringify(text)}, the recording has ${JSON.stringify(expected)}`,
      );
    }
    this.sent.push(text);
    this.position += 1;
  }

  async startTls(): Promise<TlsHandshake> {
    const tls = this.record.tls;
    if (!tls) throw new Error("replay: the recording has no TLS");
    return {
      version: tls.version,
      cipher: tls.cipher,
      chainDer: tls.chain.map((c) =>
        Buffer.from(new X509Certificate(Buffer.from(c.der ?? "", "base64")).raw),
      ),
      error: tls.error,
    };
  }

  note(): void {}

  takeStream(): never {
    throw new Error("replay: a library-driven protocol cannot be replayed line by line");
  }

  close(): void {}

  private skipNotes(): void {
    while (this.entries[this.position]?.dir === "I") this.position += 1;
  }
}

export async function replayRecord(
  record: ScanRecord,
  protocol: Protocol,
  options: ProtocolOptions,
): Promise<SessionOutcome> {
  let conn = 0;
  const connect = async (): Promise<ConnectResult> => {
    const entries = record.transcript.filter((t) => t.conn === conn);
    conn += 1;
    return { ok: true, channel: new ReplayChannel(record.ip, record.port, entries, record) };
  };
  return protocol.run({
    ip: record.ip,
    port: record.port,
    options,
    connect,
    reverseName: async () => record.tls?.names?.ptr ?? null,
  });
}
