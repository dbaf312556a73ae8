/**
 * Bytes from the wire as a JSON-safe string that can be turned back into the same bytes:
 * valid UTF-8 stays as it is, every other byte and every control character except TAB, CR and
 * LF becomes `\xNN`, and a backslash becomes `\\`.
 */
export function escapeBytes(bytes: Buffer): string {
  if (isPlainAscii(bytes)) return bytes.toString("latin1");
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b === 0x5c) {
      out += "\\\\";
      i += 1;
    } else if (b < 0x20 ? b !== 0x09 && b !== 0x0a && b !== 0x0d : b === 0x7f) {
      out += hexEscape(b);
      i += 1;
    } else if (b < 0x80) {
      out += String.fromCharCode(b);
      i += 1;
    } else {
      const len = utf8SequenceLength(bytes, i);
      if (len === 0) {
        out += hexEscape(b);
        i += 1;
      } else {
        out += bytes.toString("utf8", i, i + len);
        i += len;
      }
    }
  }
  return out;
}

/** escapeBytes of bytes[start, end), without a Buffer view for the common plain-ASCII line. */
export function escapeRange(bytes: Buffer, start: number, end: number): string {
  return isPlainAscii(bytes, start, end)
    ? bytes.toString("latin1", start, end)
    : escapeBytes(bytes.subarray(start, end));
}

/** The common case, on every line of every session: printable ASCII with no backslash. */
function isPlainAscii(bytes: Buffer, start = 0, end = bytes.length): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if ((b < 0x20 && b !== 0x09) || b >= 0x7f || b === 0x5c) return false;
  }
  return true;
}

/** The inverse of escapeBytes. */
export function unescapeBytes(text: string): Buffer {
  const parts: Buffer[] = [];
  let plain = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\" && text[i + 1] === "\\") {
      plain += "\\";
      i += 1;
    } else if (ch === "\\" && text[i + 1] === "x") {
      parts.push(Buffer.from(plain, "utf8"), Buffer.from([Number.parseInt(text.slice(i + 2, i + 4), 16)]));
      plain = "";
      i += 3;
    } else {
      plain += ch;
    }
  }
  parts.push(Buffer.from(plain, "utf8"));
  return Buffer.concat(parts);
}

function hexEscape(b: number): string {
  return `\\x${b.toString(16).padStart(2, "0")}`;
}

/** Length of a well-formed UTF-8 sequence starting at i, or 0 if it is not one. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const b = bytes[i] as number;
  let len: number;
  let min: number;
  if (b >= 0xc2 && b <= 0xdf) {
    len = 2;
    min = 0x80;
  } else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    min = 0x800;
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > bytes.length) return 0;
  let cp = b & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const c = bytes[i + k] as number;
    if ((c & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}
