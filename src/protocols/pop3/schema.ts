/** The record's `pop3` part, shared by pop3 and pop3s (docs/records.md). */
import { z } from "zod";

/** POP3 (110 with STLS, 995 implicit TLS). Never USER, PASS or AUTH. */
export const Pop3Schema = z.object({
  greeting: z.string().nullable(),
  /** CAPA before TLS: the capability lines, as sent */
  capabilities: z.array(z.string()).nullable(),
  /** the reply to STLS */
  stls: z.string().nullable(),
  capabilities_tls: z.array(z.string()).nullable(),
});
export type Pop3Record = z.infer<typeof Pop3Schema>;
