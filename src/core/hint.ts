/**
 * The product word a greeting shows, if any: "FooMail" in `220 mx.example.com ESMTP FooMail 2.1
 * ready`, "FooSSH" in `SSH-2.0-FooSSH_1.2`. It is kept in `software.hint` so that a tally can say
 * "unknown (says: FooMail)" and a person can write the missing rule, and it is a feature: a
 * greeting that names a product no rule names is evidence for "unknown". A heuristic, written by
 * hand because it reads free text: the word beside a version number, else the word after
 * (E)SMTP, else the word before it.
 */

/** Words greetings use that name no product. */
const STOP = new Set(
  `esmtp smtp lmtp smtpd mail email e-mail server service services ready welcome to the at on for of is
  and or in version ver rev release build system systems host hello hi greetings please wait
  connection connections accepted accepting transfer agent mta relay gateway daemon spam no not
  unsolicited commercial bulk allowed prohibited authorized use only imap imap4 imap4rev1 pop pop3
  ok server's our your this that network internet inbound outbound incoming outgoing mx ssh
  protocol secure shell sftp unregistered registered copyright inc ltd corp corporation gmbh
  ag llc co com net org all rights reserved by with from you we are be may will am pm utc gmt
  cest cet est pst edt pdt bst ist nt windows unix linux ipv4 ipv6 ip id tls ssl starttls auth
  capability id enable literal sasl login plain`
    .split(/\s+/)
    .filter(Boolean),
);

const VERSION = /^v?\d+(?:[._-]\d+)+[a-z0-9._-]*$|^v\d+$/i;

/** A word that can be a product's name: letters first, not a stop word, not a masked token. */
function candidate(word: string): boolean {
  if (word.length < 3 || word.length > 40) return false;
  if (!/^[A-Za-z][A-Za-z0-9*+.&/_-]*[A-Za-z0-9+]$/.test(word)) return false;
  if (STOP.has(word.toLowerCase())) return false;
  // a mixed-case or capitalised word, or one with digits: lowercase prose words are not names
  return /[A-Z]/.test(word) || /\d/.test(word);
}

function clean(word: string): string {
  return word.replace(/^[("'[<]+|[)"',;:.\]>!]+$/g, "");
}

/** The product word of a masked greeting's text (codes and `<host>` tokens are skipped). */
export function hintOf(text: string): string | null {
  const words = text
    .split(/\s+/)
    .map(clean)
    .filter((w) => w !== "" && !/^<\w+>$/.test(w) && !/^\d{3}(?:[- ]|$)/.test(w) && !/^\d\.\d\.\d+$/.test(w));
  // the word before a version number ("FooMail 2.1", "FooMail v3")
  for (let i = 1; i < words.length; i += 1) {
    const prev = words[i - 1] ?? "";
    if (VERSION.test(words[i] ?? "") && candidate(prev)) return prev;
  }
  // a word with its version glued on ("FooMail/2.1", "FooSSH_1.2")
  for (const w of words) {
    const glued = /^([A-Za-z][A-Za-z0-9+-]*?)[/_-]v?\d+(?:\.\d+)+/.exec(w);
    if (glued?.[1] && candidate(glued[1])) return glued[1];
  }
  const at = words.findIndex((w) => /^E?SMTP$/i.test(w));
  if (at >= 0) {
    const after = words[at + 1];
    if (after && candidate(after)) return after;
    const before = words[at - 1];
    if (before && candidate(before)) return before;
  }
  return null;
}

/** The hint of an SSH identification string: its software part up to the version. */
export function sshHintOf(banner: string): string | null {
  const software = /^SSH-[\d.]+-(\S+)/.exec(banner)?.[1];
  if (!software) return null;
  const name = /^([A-Za-z][A-Za-z0-9.+-]*?)(?:[_-]?v?\d[\w.]*)?$/.exec(software.split("_")[0] ?? "")?.[1];
  return name && name.length >= 2 ? name : null;
}

/** The hint of an IMAP or POP3 greeting ("* OK [CAPABILITY …] FooIMAP 1.2 ready"). */
export function mailboxHintOf(greeting: string): string | null {
  const text = greeting
    .replace(/^(?:\* OK|\+OK)\s*/i, "")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/<[^>]*>/g, " ");
  return hintOf(text);
}
