/** Every server the lab runs, in start and status order. One module per product; each adds itself here. */
import type { LabServer } from "../types.js";
import { eximServers } from "./exim.js";
import { harakaServer } from "./haraka.js";
import { opensmtpdServers } from "./opensmtpd.js";
import { postfixServers } from "./postfix.js";
import { sendmailServers } from "./sendmail.js";
import { smtpServerServer } from "./smtp-server.js";

export const allServers: LabServer[] = [
  ...postfixServers,
  ...eximServers,
  ...sendmailServers,
  ...opensmtpdServers,
  harakaServer,
  smtpServerServer,
];

const names = allServers.map((s) => s.name);
const duplicate = names.find((name, i) => names.indexOf(name) !== i);
if (duplicate) throw new Error(`lab: two servers are named ${duplicate}`);
