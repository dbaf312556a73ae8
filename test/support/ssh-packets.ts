/** Test helpers: SSH binary packets built by hand (RFC 4253 §6), for the tap and fake servers. */
import type { KexLists } from "../../src/protocols/ssh/kexinit.js";

export const SAMPLE_LISTS: KexLists = {
  kex: ["curve25519-sha256", "diffie-hellman-group14-sha256", "kex-strict-s-v00@openssh.com"],
  host_key: ["rsa-sha2-512", "rsa-sha2-256", "ecdsa-sha2-nistp256", "ssh-ed25519"],
  ciphers_c2s: ["chacha20-poly1305@openssh.com", "aes128-ctr"],
  ciphers_s2c: ["aes256-gcm@openssh.com"],
  macs_c2s: ["hmac-sha2-256-etm@openssh.com"],
  macs_s2c: ["hmac-sha2-256"],
  compression_c2s: ["none", "zlib@openssh.com"],
  compression_s2c: ["none"],
};

function sshString(text: string): Buffer {
  const body = Buffer.from(text, "latin1");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/** A plaintext packet around a payload, padded to a multiple of 8 with at least 4 bytes. */
export function packet(payload: Buffer): Buffer {
  let padding = 8 - ((5 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length + padding);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

export function kexinitPacket(lists: KexLists): Buffer {
  const names = [
    lists.kex,
    lists.host_key,
    lists.ciphers_c2s,
    lists.ciphers_s2c,
    lists.macs_c2s,
    lists.macs_s2c,
    lists.compression_c2s,
    lists.compression_s2c,
    [],
    [],
  ].map((list) => sshString(list.join(",")));
  const payload = Buffer.concat([Buffer.from([20]), Buffer.alloc(16, 0xab), ...names, Buffer.alloc(5)]);
  return packet(payload);
}
