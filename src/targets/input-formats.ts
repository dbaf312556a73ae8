/**
 * Target files written by existing pipelines, besides our own plain lists.
 *
 * Detection, per file, from its first meaningful line (blank lines and lines starting with `#`
 * are skipped; a UTF-8 byte-order mark is ignored):
 *   - a comma-separated line with a field named `saddr` → "zmap" (zmap's CSV output header,
 *     e.g. `saddr,daddr,sport,...`); a line that is just `saddr` → "zmap" (`-f saddr`);
 *   - any other line with a comma → "zgrab2" (its CSV input, `ip,domain,tag,port`, no header);
 *   - anything else → "plain" (address / CIDR / host name per line, `#` comments), which
 *     command-line.ts already reads; headerless one-column zmap output is plain too.
 * So the format cannot change part-way: a zgrab2 file whose first row is a bare address is read
 * as plain, and its first row with a comma is then reported as a bad line.
 *
 * zmap: the `saddr` column is the target. When the header has a `success` column, only rows
 * with success 1 (or true) are kept, and when it has `repeat`, rows with repeat 1 are dropped:
 * zmap's own default output filter ("success = 1 && repeat = 0"), applied again because
 * `--output-filter` may have widened it. A `classification` column alone filters nothing, as
 * its values depend on the probe module.
 *
 * zgrab2 (as its GetTargetsCSV reads it): fields are trimmed, trailing fields may be left out,
 * at most four. `ip` may be an address or a CIDR; `domain` becomes the target's `name` (zgrab2
 * uses it for SNI and Host, and resolves it when `ip` is empty); `tag` → `category`; `port` →
 * `port` (1-65535). A lone field that is not an address or CIDR is a domain, as in zgrab2.
 */
import { createReadStream } from "node:fs";
import { access, constants } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type Cidr, isIpAddress, parseCidr } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import type { Target } from "../core/target.js";
import type { InputFormat } from "../core/targets-meta.js";
import { parseTargetSpec } from "./command-line.js";

/** What a target carries besides its address. */
export type TargetFields = Omit<Target, "ip">;

/** One row of a formatted file; names and CIDRs are resolved / expanded by the caller. */
export type FileTarget =
  | { kind: "address"; target: Target }
  | { kind: "cidr"; cidr: Cidr; fields: TargetFields }
  | { kind: "name"; name: string; fields: Omit<TargetFields, "name"> };

/** The format a file's first meaningful line shows (see the rule at the top of this file). */
export function formatOfLine(line: string): InputFormat {
  const text = line.trim();
  if (text.toLowerCase() === "saddr") return "zmap";
  if (!text.includes(",")) return "plain";
  return splitCsvLine(text).some((f) => f.trim().toLowerCase() === "saddr") ? "zmap" : "zgrab2";
}

export async function detectInputFormat(path: string): Promise<InputFormat> {
  for await (const { text } of meaningfulLines(path)) return formatOfLine(text);
  return "plain"; // empty: the plain reader reports "no targets"
}

/** The rows of a zmap or zgrab2 file; plain files go through command-line.ts. */
export function readFormattedTargets(path: string, format: "zmap" | "zgrab2"): AsyncGenerator<FileTarget> {
  return format === "zmap" ? readZmap(path) : readZgrab2(path);
}

async function* readZmap(path: string): AsyncGenerator<FileTarget> {
  let columns: { saddr: number; success: number; repeat: number; count: number } | undefined;
  for await (const { text, line } of meaningfulLines(path)) {
    const fields = splitCsvLine(text, `${path}:${line}`).map((f) => f.trim());
    if (!columns) {
      const names = fields.map((f) => f.toLowerCase());
      columns = {
        saddr: names.indexOf("saddr"),
        success: names.indexOf("success"),
        repeat: names.indexOf("repeat"),
        count: names.length,
      };
      if (columns.saddr < 0) throw new InputError(`${path}:${line}: a zmap CSV header needs a saddr column`);
      continue;
    }
    if (fields.length !== columns.count) {
      throw new InputError(`${path}:${line}: ${fields.length} fields, but the header names ${columns.count}`);
    }
    if (columns.success >= 0 && !isTrue(fields[columns.success])) continue;
    if (columns.repeat >= 0 && isTrue(fields[columns.repeat])) continue;
    const saddr = fields[columns.saddr] ?? "";
    if (!isIpAddress(saddr))
      throw new InputError(`${path}:${line}: not an IP address: ${JSON.stringify(saddr)}`);
    yield { kind: "address", target: { ip: parseCidr(saddr).address.toString() } };
  }
}

const isTrue = (value: string | undefined): boolean => value === "1" || value?.toLowerCase() === "true";

async function* readZgrab2(path: string): AsyncGenerator<FileTarget> {
  for await (const { text, line } of meaningfulLines(path)) {
    const where = `${path}:${line}`;
    const fields = splitCsvLine(text, where).map((f) => f.trim());
    if (fields.length > 4)
      throw new InputError(`${where}: ${fields.length} fields; zgrab2 takes ip,domain,tag,port`);
    const [ip = "", domain = "", tag = "", port = ""] = fields;
    const extra: Omit<TargetFields, "name"> = {
      ...(tag !== "" ? { category: tag } : {}),
      ...(port !== "" ? { port: portNumber(port, where) } : {}),
    };
    const address = ip !== "" && (ip.includes("/") || isIpAddress(ip)) ? parseAddress(ip, where) : undefined;
    if (ip !== "" && !address && fields.length > 1) {
      throw new InputError(`${where}: not an IP address or CIDR: ${JSON.stringify(ip)}`);
    }
    // zgrab2's legacy form: a lone field that is no address is a domain.
    const name = address ? domain : fields.length === 1 ? ip : domain;
    if (name !== "")
      checkHostName(
        name,
        where,
        address || fields.length > 1 ? "a domain name" : "an IP address, CIDR or domain name",
      );
    if (!address) {
      if (name === "") throw new InputError(`${where}: no address, CIDR or domain`);
      yield { kind: "name", name, fields: extra };
      continue;
    }
    const fieldsWithName: TargetFields = { ...(name !== "" ? { name } : {}), ...extra };
    const full = address.address.kind() === "ipv4" ? 32 : 128;
    if (address.prefix === full && !ip.includes("/")) {
      yield { kind: "address", target: { ip: address.address.toString(), ...fieldsWithName } };
    } else {
      yield { kind: "cidr", cidr: address, fields: fieldsWithName };
    }
  }
}

function parseAddress(text: string, where: string): Cidr {
  try {
    return parseCidr(text);
  } catch (error) {
    throw new InputError(`${where}: ${(error as Error).message}`);
  }
}

function checkHostName(name: string, where: string, expected: string): void {
  let kind: string;
  try {
    kind = parseTargetSpec(name).kind;
  } catch {
    kind = "bad";
  }
  if (kind !== "name") throw new InputError(`${where}: not ${expected}: ${JSON.stringify(name)}`);
}

function portNumber(text: string, where: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535))
    throw new InputError(`${where}: bad port ${JSON.stringify(text)} (1-65535)`);
  return port;
}

/**
 * One CSV record's fields (RFC 4180 quoting: "a,b" and "" inside quotes). Records spanning
 * lines are not supported: no target file needs them.
 */
export function splitCsvLine(text: string, where = "CSV"): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else {
      field += c;
    }
  }
  if (quoted) throw new InputError(`${where}: unterminated quoted field`);
  fields.push(field);
  return fields;
}

/** Lines with their numbers, minus blank lines and `#` comment lines (zgrab2's rule too). */
async function* meaningfulLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new InputError(`cannot read targets file ${path}`);
  }
  const input = createReadStream(path, "utf8");
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of reader) {
      line += 1;
      const text = (line === 1 ? raw.replace(/^\uFEFF/, "") : raw).trim();
      if (text === "" || text.startsWith("#")) continue;
      if (text.startsWith("{")) {
        throw new InputError(`${path}:${line}: JSON lines are not a targets format (use zmap's CSV output)`);
      }
      yield { text, line };
    }
  } finally {
    reader.close();
    input.destroy();
  }
}
