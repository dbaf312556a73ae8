/** The record's `imap` part, shared by imap and imaps (docs/records.md). */
import { z } from "zod";

/** IMAP (143 with STARTTLS, 993 implicit TLS). Never LOGIN or AUTHENTICATE. */
export const ImapSchema = z.object({
  greeting: z.string().nullable(),
  /** CAPABILITY before TLS (words, as sent) */
  capabilities: z.array(z.string()).nullable(),
  /** the tagged reply to STARTTLS */
  starttls: z.string().nullable(),
  /** CAPABILITY inside TLS */
  capabilities_tls: z.array(z.string()).nullable(),
});
export type ImapRecord = z.infer<typeof ImapSchema>;
