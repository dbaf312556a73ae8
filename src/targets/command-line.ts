/**
 * Target specs as given on the command line or in plain `-i` files (one a line, `#` comments):
 * an IPv4/IPv6 address or CIDR, or a host name. plan.ts turns them into targets.
 */

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { type Cidr, isIpAddress, parseCidr } from "../core/cidr.js";
import { InputError } from "../core/errors.js";

type Spec = { kind: "cidr"; cidr: Cidr } | { kind: "name"; name: string };

const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

export function parseTargetSpec(text: string, where?: string): Spec {
  const t = text.trim();
  const at = where ? `${where}: ` : "";
  if (t.includes("/") || isIpAddress(t)) {
    try {
      return { kind: "cidr", cidr: parseCidr(t) };
    } catch (error) {
      throw new InputError(`${at}${(error as Error).message}`);
    }
  }
  // Something that looks like a broken address is an error, not a host name to look up.
  if (/^[\d.]+$/.test(t) || t.includes(":") || !HOST_NAME.test(t)) {
    throw new InputError(`${at}not an IP address, CIDR or host name: ${JSON.stringify(t)}`);
  }
  return { kind: "name", name: t };
}

/** The meaningful lines of a targets file with their line numbers. */
export async function* fileLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const reader = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const raw of reader) {
    line += 1;
    const text = raw.replace(/#.*/, "").trim();
    if (text !== "") yield { text, line };
  }
}
