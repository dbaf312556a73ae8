/** Addresses as dense ids, one id per address however it was written ("::ffff:127.0.0.1" is 127.0.0.1). */
import { parseIp } from "../core/cidr.js";
import { InputError } from "../core/errors.js";

/** four decimal octets without leading zeros: already the form parseIp gives back */
const DOTTED_QUAD = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The address in one canonical text form; `where` names the input in the error. */
export function canonicalAddress(ip: string, where: string): string {
  // the parser is the slow part of a tally: a plain dotted quad skips it
  if (DOTTED_QUAD.test(ip)) return ip;
  try {
    return parseIp(ip).toString();
  } catch {
    throw new InputError(`${where}: ip ${JSON.stringify(ip)} is not an address`);
  }
}

export class AddressIds {
  private readonly byText = new Map<string, number>();
  private readonly texts: string[] = [];

  get size(): number {
    return this.texts.length;
  }

  /** the id of `ip`, made when new */
  id(ip: string, where: string): number {
    const seen = this.byText.get(ip);
    if (seen !== undefined) return seen;
    const canonical = canonicalAddress(ip, where);
    let id = canonical === ip ? undefined : this.byText.get(canonical);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(canonical);
      this.byText.set(canonical, id);
    }
    if (canonical !== ip) this.byText.set(ip, id);
    return id;
  }

  text(id: number): string {
    const text = this.texts[id];
    if (text === undefined) throw new RangeError(`no address ${id}`);
    return text;
  }
}
