/**
 * A DSA public key as DER SubjectPublicKeyInfo (RFC 3279 §2.3.2), built by hand: node has no JWK
 * form for DSA, so the SSH side cannot go through createPublicKey's JWK import as the other key
 * types do. The result is checked by node's own SPKI parser before it is trusted.
 */

/** id-dsa, 1.2.840.10040.4.1 */
const ID_DSA = Buffer.from([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]);

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

/** A non-negative INTEGER from its unsigned magnitude: a zero byte first when the top bit is set. */
function derUnsigned(magnitude: Buffer): Buffer {
  const needsPad = magnitude.length === 0 || ((magnitude[0] as number) & 0x80) !== 0;
  return tlv(0x02, needsPad ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));

export function dsaSpkiDer(p: Buffer, q: Buffer, g: Buffer, y: Buffer): Buffer {
  const algorithm = sequence(ID_DSA, sequence(derUnsigned(p), derUnsigned(q), derUnsigned(g)));
  // BIT STRING: no unused bits, holding the DER INTEGER y
  const publicKey = tlv(0x03, Buffer.concat([Buffer.from([0]), derUnsigned(y)]));
  return sequence(algorithm, publicKey);
}
