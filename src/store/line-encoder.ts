/**
 * JSON Lines encoded as they come, into one growing buffer. Joining a batch's lines into one
 * string first (64–1,024 records of ~1.7 KB) made a string of 100 KB to 2 MB on the V8 heap for
 * every batch, in its large-object space, only to copy it again into UTF-8.
 */
export class LineEncoder {
  private buffer = Buffer.allocUnsafeSlow(64 * 1024);
  private used = 0;

  /** Appends the line's UTF-8 and a newline. */
  add(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 for 2)
    const need = this.used + line.length * 3 + 1;
    if (need > this.buffer.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(need, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.used);
      this.buffer = bigger;
    }
    this.used += this.buffer.write(line, this.used, "utf8");
    this.buffer[this.used] = 0x0a;
    this.used += 1;
  }

  get byteLength(): number {
    return this.used;
  }

  /** The lines so far, in a buffer of their own (one that can be transferred), and starts again. */
  take(): Uint8Array<ArrayBuffer> {
    const lines = new Uint8Array(this.used);
    lines.set(this.buffer.subarray(0, this.used));
    this.used = 0;
    return lines;
  }
}
