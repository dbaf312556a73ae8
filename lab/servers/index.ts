/** Every server the lab runs, in start and status order. One module per product; each adds itself here. */
import type { LabServer } from "../types.js";
import { aiosmtpdServer } from "./aiosmtpd.js";
import { chasquidServer } from "./chasquid.js";
import { courierServer } from "./courier.js";
import { dovecotServer } from "./dovecot.js";
import { dropbearServer } from "./dropbear.js";
import { eximServers } from "./exim.js";
import { harakaServer } from "./haraka.js";
import { mailutilsServer } from "./mailutils.js";
import { nginxServer } from "./nginx.js";
import { opensmtpdServers } from "./opensmtpd.js";
import { opensshServers } from "./openssh.js";
import { postfixServers } from "./postfix.js";
import { proftpdServer } from "./proftpd-ftp.js";
import { proftpdSftpServer } from "./proftpd-sftp.js";
import { pythonSmtpdServer } from "./python-smtpd.js";
import { qpsmtpdServer } from "./qpsmtpd.js";
import { asyncsshServer, paramikoServer, tinysshServer } from "./script-ssh.js";
import { sendmailServers } from "./sendmail.js";
import { smtpServerServer } from "./smtp-server.js";
import { twistedMailServer } from "./twisted-mail.js";
import { apacheServer, lighttpdServer } from "./web-servers.js";

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
  pythonSmtpdServer,
  twistedMailServer,
  dovecotServer,
  mailutilsServer,
  nginxServer,
  lighttpdServer,
  apacheServer,
  ...opensshServers,
  dropbearServer,
  tinysshServer,
  asyncsshServer,
  paramikoServer,
  proftpdSftpServer,
  proftpdServer,
];

const names = allServers.map((s) => s.name);
const duplicate = names.find((name, i) => names.indexOf(name) !== i);
if (duplicate) throw new Error(`lab: two servers are named ${duplicate}`);
