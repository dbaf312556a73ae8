/**
 * SMTP replies as other tools store them, raw text with CRLFs ("250-host\r\n250 SIZE\r\n"), into
 * the record's `smtp` part. zgrab2 and records.fresh keep every reply this way; masscan keeps the
 * greeting and EHLO run together in one banner.
 */
import { emptySmtpRecord, type Reply, type SmtpRecord } from "../protocols/record.js";
import { replyOf } from "../protocols/smtp/reply-text.js";

const REPLY_LINE = /^\d{3}(?:[ -]|$)/;

/**
 * Raw text → its replies in order, each ending at a line whose code is followed by a space (or
 * nothing); null when a line is not a reply line. A last reply left open is still returned.
 */
export function repliesIn(raw: string): Reply[] | null {
  const lines = raw.split(/\r?\n/).filter((line) => line !== "");
  if (lines.length === 0) return null;
  const replies: Reply[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (!REPLY_LINE.test(line)) return null;
    current.push(line);
    if (line[3] !== "-") {
      replies.push(replyOf(current));
      current = [];
    }
  }
  if (current.length) replies.push(replyOf(current));
  return replies;
}

/** One reply's raw text → the reply, or null when it is absent or not SMTP. */
export function replyIn(raw: string | null | undefined): Reply | null {
  if (!raw) return null;
  return repliesIn(raw)?.[0] ?? null;
}

/** The raw replies another tool kept, by the command that drew them. */
export interface RawSmtpReplies {
  banner?: string | null;
  ehlo?: string | null;
  helo?: string | null;
  help?: string | null;
  starttls?: string | null;
  quit?: string | null;
}

/** The `smtp` part those replies make; `greeted` is false when the greeting is not an SMTP reply. */
export function smtpPartOf(raw: RawSmtpReplies): { smtp: SmtpRecord; greeted: boolean } {
  const smtp = emptySmtpRecord();
  const greeting = replyIn(raw.banner);
  if (raw.banner)
    smtp.banner = raw.banner
      .replace(/(?:\r?\n)+$/, "")
      .split(/\r?\n/)
      .join("\n");
  if (greeting) smtp.replies.greeting = greeting;
  const ehlo = replyIn(raw.ehlo);
  if (ehlo) {
    smtp.replies.ehlo = ehlo;
    // as a grab stores it: the EHLO lines only when EHLO was accepted (zgrab2 keeps a refusal too)
    if (ehlo.code === 250) smtp.ehlo = ehlo.lines;
  }
  const helo = replyIn(raw.helo);
  if (helo) {
    smtp.replies.helo = helo;
    smtp.helo = helo.lines;
  }
  smtp.help = replyIn(raw.help);
  smtp.starttls = replyIn(raw.starttls);
  smtp.quit = replyIn(raw.quit);
  return { smtp, greeted: greeting !== null };
}
