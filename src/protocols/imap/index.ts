/** IMAP on 143 (STARTTLS when advertised) and IMAPS on 993 (implicit TLS, the same dialogue inside). */
import type { Protocol } from "../types.js";
import { imapDescription } from "./description.js";
import { runImapSession } from "./session.js";

export const imap: Protocol = {
  name: "imap",
  family: "imap",
  description: imapDescription,
  defaultPorts: [143],
  run: (ctx) => runImapSession(ctx, false),
};

export const imaps: Protocol = {
  name: "imaps",
  family: "imap",
  description: imapDescription,
  defaultPorts: [993],
  run: (ctx) => runImapSession(ctx, true),
};
