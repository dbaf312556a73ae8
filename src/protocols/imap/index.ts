/** IMAP on 143 (STARTTLS when advertised) and IMAPS on 993 (implicit TLS, the same dialogue inside). */
import type { Protocol } from "../types.js";
import { runImapSession } from "./session.js";

export const imap: Protocol = {
  name: "imap",
  defaultPorts: [143],
  run: (ctx) => runImapSession(ctx, false),
};

export const imaps: Protocol = {
  name: "imaps",
  defaultPorts: [993],
  run: (ctx) => runImapSession(ctx, true),
};
