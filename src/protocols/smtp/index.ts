/** SMTP on 25/587 (STARTTLS) and SMTPS on 465 (implicit TLS, the same dialogue inside). */
import type { Protocol } from "../types.js";
import { smtpDescription } from "./description.js";
import { runSmtpSession } from "./session.js";

export const smtp: Protocol = {
  name: "smtp",
  family: "smtp",
  description: smtpDescription,
  defaultPorts: [25, 587],
  run: (ctx) => runSmtpSession(ctx, false),
};

export const smtps: Protocol = {
  name: "smtps",
  family: "smtp",
  description: smtpDescription,
  defaultPorts: [465],
  run: (ctx) => runSmtpSession(ctx, true),
};
