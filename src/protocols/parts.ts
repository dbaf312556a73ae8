/**
 * The protocol parts of a record, each protocol's own zod schema under its record key: the one
 * list record.ts builds a record from. smtp and smtps share `smtp`, imaps `imap`, and
 * so on; `tls` is any protocol's TLS handshake.
 *
 * A list of its own, apart from registry.ts, so that the record schema can be built without
 * loading any session code (the sessions import the schema's types; the registry imports the
 * sessions). Adding a protocol adds its lines here (import, re-export, entry) and its entry in registry.ts.
 */
import { FtpSchema } from "./ftp/schema.js";
import { HttpSchema } from "./http/schema.js";
import { ImapSchema } from "./imap/schema.js";
import { Pop3Schema } from "./pop3/schema.js";
import { SmtpSchema } from "./smtp/schema.js";
import { SshSchema } from "./ssh/schema.js";
import { TlsSchema } from "./tls/schema.js";

export * from "./ftp/schema.js";
export * from "./http/schema.js";
export * from "./imap/schema.js";
export * from "./pop3/schema.js";
export * from "./smtp/schema.js";
export * from "./ssh/schema.js";
export * from "./tls/schema.js";

export const RECORD_PART_SCHEMAS = {
  smtp: SmtpSchema,
  tls: TlsSchema,
  ssh: SshSchema,
  imap: ImapSchema,
  pop3: Pop3Schema,
  http: HttpSchema,
  ftp: FtpSchema,
} as const;
