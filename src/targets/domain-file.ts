/**
 * The `--domains FILE` reader: mail domains, one a line, to resolve through their MX records.
 *
 * Two layouts, line by line (they may even be mixed):
 * - plain: `example.com`
 * - CSV:   `example.com,bank` — the domain and its category. A first line whose first field is
 *   not a domain (`domain,category`, `Domain Name,Sector`...) is taken as a header and skipped,
 *   as is a first line of just `domain`.
 *   Fields may be wrapped in double quotes; more than two fields is an error.
 * `#` starts a comment anywhere on a line; blank lines are skipped.
 *
 * Names are checked as fully qualified RFC 5321 domains (two labels or more; letters, digits,
 * hyphens; labels ≤ 63, name ≤ 253: no mail is delivered to a dotless name), lower-cased, the trailing dot dropped; non-ASCII names are converted to their ASCII (IDNA)
 * form. Duplicates are kept: removing them would mean holding every name seen.
 *
 * The file is streamed a line at a time. Bad input throws InputError naming `FILE:LINE`.
 */
import { createReadStream } from "node:fs";
import { access, constants } from "node:fs/promises";
import { createInterface } from "node:readline";
import { domainToASCII } from "node:url";
import { isIpAddress } from "../core/cidr.js";
import { InputError } from "../core/errors.js";

export interface DomainEntry {
  /** lower case, ASCII (IDNA) form, no trailing dot */
  domain: string;
  /** from the second CSV column, when present and not empty */
  category?: string;
  /** 1-based line number in the file */
  line: number;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The domain `text` names, in canonical form, or a one-line reason it is not a domain name.
 * Exported so other sources (the command line) can apply the same rule.
 */
export function normaliseDomain(text: string): { domain: string } | { problem: string } {
  let name = text.trim().replace(/\.$/, "");
  if (name === "") return { problem: "empty domain name" };
  if (isIpAddress(name)) return { problem: `an IP address, not a domain name: ${JSON.stringify(text)}` };
  // Only non-ASCII names go through IDNA: the URL host parser would also percent-decode ASCII.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is "anything beyond ASCII"
  if (/[^\x00-\x7f]/.test(name)) name = domainToASCII(name);
  name = name.toLowerCase();
  const labels = name.split(".");
  const valid =
    name.length > 0 &&
    name.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    // a top-level label is never all digits; this also rejects malformed addresses like 1.2.3
    !/^\d+$/.test(labels[labels.length - 1] ?? "");
  return valid ? { domain: name } : { problem: `not a domain name: ${JSON.stringify(text.trim())}` };
}

/** The fields of one line: split on commas, optional double quotes removed. */
function csvFields(text: string): string[] {
  return text.split(",").map((field) =>
    field
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .trim(),
  );
}

/**
 * Every domain in `path`, in file order. Throws InputError when the file cannot be read, when a
 * line holds something that is not a domain (`FILE:LINE: ...`), and, once the whole file has
 * been read, when it held no domain at all (`FILE: no domains`).
 */
export async function* readDomainFile(path: string): AsyncGenerator<DomainEntry> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new InputError(`cannot read domains file ${path}`);
  }
  const input = createReadStream(path, "utf8");
  // A read error after opening (EISDIR, EIO) surfaces through the line reader's iterator.
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let found = 0;
  let first = true;
  try {
    for await (const raw of reader) {
      line += 1;
      const text = raw
        .replace(/#.*/, "")
        .replace(/^\uFEFF/, "")
        .trim();
      if (text === "") continue;
      const fields = csvFields(text);
      const where = `${path}:${line}`;
      if (fields.length > 2) {
        throw new InputError(`${where}: expected "domain" or "domain,category", got ${fields.length} fields`);
      }
      const parsed = normaliseDomain(fields[0] ?? "");
      const header = fields.length === 2 || fields[0]?.toLowerCase() === "domain";
      if (first && header && "problem" in parsed) {
        first = false; // a header line such as "domain,category"
        continue;
      }
      first = false;
      if ("problem" in parsed) throw new InputError(`${where}: ${parsed.problem}`);
      const category = fields[1];
      found += 1;
      yield category ? { domain: parsed.domain, category, line } : { domain: parsed.domain, line };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `cannot read domains file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  } finally {
    reader.close();
    input.destroy();
  }
  if (found === 0) throw new InputError(`${path}: no domains`);
}

/**
 * Reads the whole file once to check it before any query is sent; returns how many domains it
 * holds (for a progress total). Holds one line at a time.
 */
export async function checkDomainFile(path: string): Promise<number> {
  let count = 0;
  for await (const _ of readDomainFile(path)) count += 1;
  return count;
}
