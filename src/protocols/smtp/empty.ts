/** An empty smtp part, without zod (schema.ts has the schema; engine threads never load zod). */
import type { SmtpRecord } from "./schema.js";

/** An SMTP part with nothing in it yet: sessions fill it in, tests and examples override it. */
export function emptySmtpRecord(): SmtpRecord {
  return {
    banner: null,
    ehlo: null,
    helo: null,
    help: null,
    starttls: null,
    ehlo_tls: null,
    quit: null,
    replies: {},
    probes: [],
  };
}
