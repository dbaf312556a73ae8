/**
 * The name an SMTP server gives itself (RFC 5321 §4.1.1.1, §4.3.1): the first word of the EHLO
 * reply's first line, else of the greeting. Taken as sent, even when it is no host name at all
 * (a stripped banner): then it simply does not match the certificate.
 */
import type { SmtpRecord } from "../record.js";

export function smtpServerName(smtp: SmtpRecord): string | null {
  const line = smtp.ehlo?.[0] ?? smtp.replies.greeting?.lines[0];
  const word = line?.trim().split(/\s+/, 1)[0];
  return word ? word : null;
}
