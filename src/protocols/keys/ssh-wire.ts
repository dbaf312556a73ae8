/**
 * Reads SSH's wire encoding (RFC 4251 §5): uint32, string, mpint, name-list. Used for host key
 * blobs and for the server's KEXINIT packet; every read is bounds-checked, since both come from
 * the server untouched.
 */

export class SshWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SshWireError";
  }
}

export class SshReader {
  private offset = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  byte(): number {
    return this.take(1)[0] as number;
  }

  uint32(): number {
    return this.take(4).readUInt32BE(0);
  }

  bytes(length: number): Buffer {
    return this.take(length);
  }

  /** A length-prefixed byte string. */
  string(): Buffer {
    return this.take(this.uint32());
  }

  /** A string holding text (algorithm and curve names are US-ASCII). */
  text(): string {
    return this.string().toString("latin1");
  }

  /**
   * A non-negative mpint as its unsigned big-endian magnitude: the sign byte SSH adds when the
   * top bit is set is dropped. A negative value is not a key.
   */
  unsignedMpint(): Buffer {
    const raw = this.string();
    if (raw.length > 0 && ((raw[0] as number) & 0x80) !== 0) throw new SshWireError("negative mpint");
    let start = 0;
    while (start < raw.length && raw[start] === 0) start += 1;
    return raw.subarray(start);
  }

  /** A comma-separated name-list; the empty string is the empty list. */
  nameList(): string[] {
    const text = this.text();
    return text === "" ? [] : text.split(",");
  }

  private take(length: number): Buffer {
    if (length > this.remaining) {
      throw new SshWireError(`truncated: wanted ${length} bytes, ${this.remaining} left`);
    }
    const out = this.buf.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
}

/** Bits in an unsigned big-endian magnitude without leading zero bytes (as OpenSSH's BN_num_bits). */
export function bitLength(magnitude: Buffer): number {
  if (magnitude.length === 0) return 0;
  const top = magnitude[0] as number;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(top));
}
