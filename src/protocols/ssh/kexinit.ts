/**
 * The server's KEXINIT name-lists, read from the raw bytes of a connection.
 *
 * Why our own parser: ssh2 keeps the server's full lists to itself (its 'handshake' event gives
 * only what was negotiated; its debug text prints the lists but is no contract and stops at the
 * first mismatch). The KEXINIT is the server's first binary packet and is never encrypted
 * (RFC 4253 §7.1), so a passive tap on the socket reads it whatever ssh2 then does with it.
 */

import { SshReader, SshWireError } from "../keys/ssh-wire.js";
import type { SshRecord } from "../record.js";

export type KexLists = NonNullable<SshRecord["kex"]>;

const MSG_IGNORE = 2;
const MSG_DEBUG = 4;
const MSG_KEXINIT = 20;
/** RFC 4253 §6.1: implementations must take packets of 35000 bytes; we allow a little more. */
const MAX_PACKET = 64 * 1024;
/** Bytes after the identification within which the KEXINIT must have come (IGNORE/DEBUG included). */
const KEXINIT_BUDGET = MAX_PACKET + 8 * 1024;

/** A KEXINIT payload (message byte included) → its name-lists; throws SshWireError when malformed. */
export function parseKexinit(payload: Buffer): KexLists {
  const reader = new SshReader(payload);
  if (reader.byte() !== MSG_KEXINIT) throw new SshWireError("not a KEXINIT");
  reader.bytes(16); // cookie
  return {
    kex: reader.nameList(),
    host_key: reader.nameList(),
    ciphers_c2s: reader.nameList(),
    ciphers_s2c: reader.nameList(),
    macs_c2s: reader.nameList(),
    macs_s2c: reader.nameList(),
    compression_c2s: reader.nameList(),
    compression_s2c: reader.nameList(),
  };
}

/**
 * Fed every chunk the server sends (identification line first): skips the lines up to and
 * including the `SSH-` line, then reads plaintext packets until the KEXINIT.
 */
export class KexinitTap {
  result: KexLists | null = null;
  error: string | null = null;
  private buffered: Buffer = Buffer.alloc(0);
  private identSeen = false;
  /** bytes taken after the identification line: packets already read count too */
  private afterIdent = 0;

  get done(): boolean {
    return this.result !== null || this.error !== null;
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    this.buffered = Buffer.concat([this.buffered, chunk]);
    if (this.identSeen) this.afterIdent += chunk.length;
    try {
      if (!this.identSeen) {
        this.skipIdent();
        if (this.identSeen) this.afterIdent = this.buffered.length;
      }
      if (this.identSeen) this.readPackets();
    } catch (failure) {
      if (!(failure instanceof SshWireError)) throw failure;
      this.error = `malformed KEXINIT: ${failure.message}`;
    }
    // counted over the stream, not the buffer: a flood of small IGNORE packets is read and
    // dropped one by one, and would otherwise never reach the limit
    if (!this.done && this.afterIdent > KEXINIT_BUDGET) {
      this.error = "no KEXINIT in the first 72 KiB";
    }
    if (this.done) this.buffered = Buffer.alloc(0);
  }

  private skipIdent(): void {
    for (;;) {
      const newline = this.buffered.indexOf(0x0a);
      if (newline < 0) return;
      const line = this.buffered.subarray(0, newline);
      this.buffered = this.buffered.subarray(newline + 1);
      if (line.subarray(0, 4).toString("latin1") === "SSH-") {
        this.identSeen = true;
        return;
      }
    }
  }

  private readPackets(): void {
    while (!this.done && this.buffered.length >= 5) {
      const length = this.buffered.readUInt32BE(0);
      if (length < 5 || length > MAX_PACKET) {
        this.error = `a first packet of ${length} bytes is not SSH`;
        return;
      }
      if (this.buffered.length < 4 + length) return;
      const padding = this.buffered[4] as number;
      if (padding + 1 >= length) {
        this.error = `bad padding length ${padding} in a ${length}-byte packet`;
        return;
      }
      const payload = this.buffered.subarray(5, 4 + length - padding);
      this.buffered = this.buffered.subarray(4 + length);
      const type = payload[0];
      if (type === MSG_KEXINIT) this.result = parseKexinit(payload);
      else if (type !== MSG_IGNORE && type !== MSG_DEBUG) {
        this.error = `the server's first packet was message ${type}, not KEXINIT`;
      }
    }
  }
}
