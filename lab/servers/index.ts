/** Every server the lab runs, in start and status order. One module per product; each adds itself here. */
import type { LabServer } from "../types.js";
import { aiosmtpdServer } from "./aiosmtpd.js";
import { chasquidServer } from "./chasquid.js";
import { courierServer } from "./courier.js";
import { dovecotServer } from "./dovecot.js";
import { dropbearServer } from "./dropbear.js";
import { eximServers } from "./exim.js";
import { harakaServer } from "./haraka.js";
import { nginxServer } from "./nginx.js";
import { opensmtpdServers } from "./opensmtpd.js";
import { opensshServers } from "./openssh.js";
import { postfixServers } from "./postfix.js";
import { qpsmtpdServer } from "./qpsmtpd.js";
import { sendmailServers } from "./sendmail.js";
import { smtpServerServer } from "./smtp-server.js";

export const allServers: LabServer[] = [
  ...postfixServers,
  ...eximServers,
  ...sendmailServers,
  ...opensmtpdServers,
  harakaServer,
  smtpServerServer,
  courierServer,
  qpsmtpdServer,
  aiosmtpdServer,
  chasquidServer,
  dovecotServer,
  nginxServer,
  ...opensshServers,
  dropbearServer,
];

const names = allServers.map((s) => s.name);
const duplicate = names.find((name, i) => names.indexOf(name) !== i);
if (duplicate) throw new Error(`lab: two servers are named ${duplicate}`);
