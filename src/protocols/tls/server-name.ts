/**
 * The host name a greeting announces, for protocols where naming it is optional (IMAP, POP3):
 * only a first word that is clearly a fully qualified name counts (Cyrus: `* OK mail.example.com
 * Cyrus IMAP …`); Dovecot's `Dovecot (Debian) ready.` names no host.
 */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** `text` is the greeting after its status word (`+OK`, `* OK`), response code included. */
export function hostNameInGreeting(text: string): string | null {
  // an IMAP response code (`[CAPABILITY …]`) comes before the human-readable text
  const words = text
    .replace(/^\s*\[[^\]]*\]/, "")
    .trim()
    .split(/\s+/);
  const first = words[0] ?? "";
  return isFullyQualified(first) ? first : null;
}

export function isFullyQualified(name: string): boolean {
  const parts = name.replace(/\.$/, "").split(".");
  if (parts.length < 2 || name.length > 253) return false;
  // the top-level label is never all digits: that keeps dotted addresses and versions out
  const tld = parts[parts.length - 1] ?? "";
  return parts.every((part) => LABEL.test(part)) && /[a-z]/i.test(tld);
}
