/**
 * Dotted quads as numbers, by hand: the hot paths (sampling, sharding, de-duplication, the
 * scope check on every connect) handle millions of IPv4 addresses, and ipaddr.js costs an
 * allocation and a pattern match each.
 */

/**
 * A strict dotted quad ("a.b.c.d", decimal, 0..255, no leading "+"/spaces) as an unsigned
 * 32-bit number, or undefined for anything else (which may still be a valid IPv6 address).
 * `leadingZeros: false` also refuses a part such as "010", which some parsers (ipaddr.js among
 * them) read as octal.
 */
export function parseV4Number(text: string, leadingZeros = true): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (!leadingZeros && digits === 1 && part === 0) return undefined;
      part = part * 10 + (c - 48);
      digits += 1;
      if (digits > 3 || part > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots += 1;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + part;
}
