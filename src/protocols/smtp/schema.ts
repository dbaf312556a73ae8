/** The record's `smtp` part, shared by smtp and smtps (docs/records.md), and the reply it is made of. */
import { z } from "zod";
import { STATUSES } from "../../core/status.js";

/** One parsed reply: code, RFC 3463 enhanced code when present, text of each line, raw bytes. */
export const ReplySchema = z.object({
  code: z.number().int(),
  enhanced: z.string().nullable(),
  lines: z.array(z.string()),
  raw: z.string(),
});
export type Reply = z.infer<typeof ReplySchema>;

export const ProbeSchema = z.object({
  name: z.string(),
  status: z.enum(STATUSES),
  steps: z.array(z.object({ command: z.string(), reply: ReplySchema.nullable() })),
  /** why the probe stopped: all commands sent, second error reply, a 421, or a failure status */
  ended: z.enum(["complete", "errors", "421", "failure"]),
});
export type ProbeResult = z.infer<typeof ProbeSchema>;

export const SmtpSchema = z.object({
  /** every greeting line as received, joined with "\n" */
  banner: z.string().nullable(),
  /** text of each EHLO reply line after the code: the greeting line first, then the keywords */
  ehlo: z.array(z.string()).nullable(),
  /** the HELO reply's lines, when EHLO was refused */
  helo: z.array(z.string()).nullable(),
  help: ReplySchema.nullable(),
  starttls: ReplySchema.nullable(),
  ehlo_tls: z.array(z.string()).nullable(),
  quit: ReplySchema.nullable(),
  /** the parsed replies behind the text fields: greeting, ehlo, helo, ehlo_tls */
  replies: z.record(z.string(), ReplySchema),
  probes: z.array(ProbeSchema),
});
export type SmtpRecord = z.infer<typeof SmtpSchema>;

export { emptySmtpRecord } from "./empty.js";
