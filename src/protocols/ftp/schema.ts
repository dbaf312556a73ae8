/** The record's `ftp` part (src/protocols/ftp/README.md). */
import { z } from "zod";

/** FTP's control connection on 21 (AUTH TLS when FEAT offers it). Never USER, PASS or a data connection. */
export const FtpSchema = z.object({
  /** every greeting line as received, joined with "\n" (a multi-line 220 keeps its lines) */
  greeting: z.string().nullable(),
  /** FEAT's feature lines (RFC 2389), trimmed; null when FEAT was refused */
  features: z.array(z.string()).nullable(),
  /** the reply to SYST, code and text ("215 UNIX Type: L8"); many servers answer 530 before a login */
  syst: z.string().nullable(),
  /** the reply to AUTH TLS (RFC 4217), when it was sent */
  auth_tls: z.string().nullable(),
  /** FEAT inside TLS */
  features_tls: z.array(z.string()).nullable(),
});
export type FtpRecord = z.infer<typeof FtpSchema>;

export { emptyFtpRecord } from "./empty.js";
