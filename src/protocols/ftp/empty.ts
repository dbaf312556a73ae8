/** An empty ftp part, without zod (schema.ts has the schema; engine threads never load zod). */
import type { FtpRecord } from "./schema.js";

export function emptyFtpRecord(): FtpRecord {
  return { greeting: null, features: null, syst: null, auth_tls: null, features_tls: null };
}
