/** The record's `tls` part: one TLS handshake, whichever protocol did it (docs/records.md). */
import { z } from "zod";

export const CertificateSchema = z.object({
  /** base64; null only in an imported certificate its tool kept parsed, without the DER (docs/interop.md) */
  der: z.string().nullable(),
  sha256: z.string(),
  spki_sha256: z.string(),
  subject: z.string(),
  issuer: z.string(),
  san: z.array(z.string()),
  not_before: z.string(),
  not_after: z.string(),
  serial: z.string(),
  key_type: z.string().nullable(),
  key_bits: z.number().nullable(),
  self_signed: z.boolean(),
});
export type Certificate = z.infer<typeof CertificateSchema>;

/** Whether the leaf certificate names the host: its PTR name, and the name it gave itself. */
export const NameMatchSchema = z.object({
  /** the reverse DNS name of the address, if any */
  ptr: z.string().nullable(),
  ptr_match: z.boolean().nullable(),
  /** the name the server announced (SMTP greeting/EHLO, IMAP/POP3 greeting when it has one) */
  server_name: z.string().nullable(),
  server_name_match: z.boolean().nullable(),
});
export type NameMatch = z.infer<typeof NameMatchSchema>;

export const TlsSchema = z.object({
  /** true for implicit TLS (465, 993, 995, 443), false after STARTTLS/STLS */
  implicit: z.boolean(),
  version: z.string().nullable(),
  cipher: z.string().nullable(),
  chain: z.array(CertificateSchema),
  error: z.string().nullable(),
  /** filled when there is a leaf certificate */
  names: NameMatchSchema.nullable().default(null),
});
export type TlsRecord = z.infer<typeof TlsSchema>;
