/**
 * Does the leaf certificate name the host? Against the address's PTR name and against the name
 * the server gave itself, with RFC 6125 §6.4 rules: DNS names from the subjectAltName, the
 * subject's CN only when there are none; case-insensitive; a trailing dot ignored; a wildcard
 * only as the whole left-most label, standing for exactly one label, and never right above a
 * top-level label (`*.com`). Partial wildcards (`f*.example.com`) match nothing, as in browsers.
 */
import { X509Certificate } from "node:crypto";
import type { Certificate, NameMatch, TlsRecord } from "../record.js";
import type { SessionContext } from "../types.js";

/** The DNS names a certificate is for: SAN DNS entries, else the subject's CNs. */
export function certificateHostNames(leaf: Certificate): string[] {
  const dns = leaf.san.filter((entry) => entry.startsWith("DNS:")).map((entry) => unquote(entry.slice(4)));
  if (dns.length > 0) return dns;
  // node prints the subject one attribute a line, which the record joined with ", ": read the DER
  // again rather than splitting a CN that may hold a comma
  // (an imported certificate kept without its DER has only the joined subject: split that)
  const subject = leaf.der
    ? new X509Certificate(Buffer.from(leaf.der, "base64")).subject
    : leaf.subject.split(", ").join("\n");
  return subject
    .split("\n")
    .filter((line) => line.startsWith("CN="))
    .map((line) => line.slice(3));
}

/** node quotes SAN values that hold separators (`DNS:"a, b"`); such a value names no host anyway. */
function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function labels(name: string): string[] {
  return name.toLowerCase().replace(/\.$/, "").split(".");
}

/** One certificate name against one host name. */
export function hostMatches(pattern: string, host: string): boolean {
  const want = labels(host);
  const have = labels(pattern);
  if (want.some((label) => label === "") || have.some((label) => label === "")) return false;
  if (have.length !== want.length) return false;
  const [first, ...rest] = have;
  if (first === "*") {
    // at least two labels under the wildcard: `*.com` names no host
    if (rest.length < 2) return false;
    return rest.every((label, i) => label === want[i + 1]);
  }
  if (have.some((label) => label.includes("*"))) return false;
  return have.every((label, i) => label === want[i]);
}

function matchesAny(names: readonly string[], host: string | null): boolean | null {
  if (host === null) return null;
  return names.some((name) => hostMatches(name, host));
}

/** The `tls.names` object for a leaf; the matches are null when there is no name to match. */
export function matchNames(leaf: Certificate, ptr: string | null, serverName: string | null): NameMatch {
  const names = certificateHostNames(leaf);
  return {
    ptr,
    ptr_match: matchesAny(names, ptr),
    server_name: serverName,
    server_name_match: matchesAny(names, serverName),
  };
}

/** Fills `tls.names` when the server sent a certificate (the PTR lookup only then). */
export async function fillNames(
  tls: TlsRecord | null,
  ctx: Pick<SessionContext, "reverseName">,
  serverName: string | null,
): Promise<void> {
  const leaf = tls?.chain[0];
  if (!tls || !leaf) return;
  tls.names = matchNames(leaf, await ctx.reverseName(), serverName);
}
