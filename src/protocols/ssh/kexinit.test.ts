/** The KEXINIT tap: the server's lists from raw bytes, however they are chunked. */
import { describe, expect, it } from "vitest";
import { kexinitPacket, packet, SAMPLE_LISTS } from "../../../test/support/ssh-packets.js";
import { KexinitTap, parseKexinit } from "./kexinit.js";

const IDENT = Buffer.from("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n");

describe("KexinitTap", () => {
  it("reads the lists after the identification, fed one byte at a time", () => {
    const bytes = Buffer.concat([IDENT, kexinitPacket(SAMPLE_LISTS)]);
    const tap = new KexinitTap();
    for (const byte of bytes) tap.push(Buffer.from([byte]));
    expect(tap.error).toBeNull();
    expect(tap.result).toEqual(SAMPLE_LISTS);
  });

  it("skips lines before the identification and IGNORE/DEBUG packets before the KEXINIT", () => {
    const bytes = Buffer.concat([
      Buffer.from("Welcome\r\nauthorised use only\n"),
      IDENT,
      packet(Buffer.from([2, 0, 0, 0, 0])),
      kexinitPacket(SAMPLE_LISTS),
    ]);
    const tap = new KexinitTap();
    tap.push(bytes);
    expect(tap.result).toEqual(SAMPLE_LISTS);
  });

  it("says why when the first packet is not a KEXINIT or not a packet", () => {
    const other = new KexinitTap();
    other.push(Buffer.concat([IDENT, packet(Buffer.from([21]))]));
    expect(other.error).toMatch(/message 21, not KEXINIT/);
    const junk = new KexinitTap();
    junk.push(Buffer.concat([IDENT, Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n")]));
    expect(junk.error).toMatch(/is not SSH/);
    const truncated = new KexinitTap();
    truncated.push(Buffer.concat([IDENT, packet(Buffer.from([20, 1, 2, 3]))]));
    expect(truncated.error).toMatch(/malformed KEXINIT: truncated/);
  });

  it("gives up on a flood of IGNORE packets with no KEXINIT in the first 72 KiB", () => {
    const tap = new KexinitTap();
    tap.push(IDENT);
    const ignore = packet(Buffer.concat([Buffer.from([2, 0, 0, 0x03, 0xf0]), Buffer.alloc(0x3f0, 0x2e)]));
    for (let i = 0; i < 100 && !tap.done; i++) tap.push(ignore);
    expect(tap.error).toBe("no KEXINIT in the first 72 KiB");
  });

  it("waits for the rest of a packet", () => {
    const tap = new KexinitTap();
    const whole = kexinitPacket(SAMPLE_LISTS);
    tap.push(Buffer.concat([IDENT, whole.subarray(0, 100)]));
    expect(tap.done).toBe(false);
    tap.push(whole.subarray(100));
    expect(tap.result?.host_key).toEqual(SAMPLE_LISTS.host_key);
  });
});

describe("parseKexinit", () => {
  it("takes the empty string as the empty list", () => {
    const lists = { ...SAMPLE_LISTS, compression_c2s: [] };
    const payload = kexinitPacket(lists).subarray(5);
    expect(parseKexinit(payload.subarray(0, payload.length - 4)).compression_c2s).toEqual([]);
  });
});
