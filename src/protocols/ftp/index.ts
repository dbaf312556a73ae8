/** FTP's control connection on 21: greeting, FEAT, SYST, AUTH TLS when offered (README.md). */
import type { Protocol } from "../types.js";
import { ftpDescription } from "./description.js";
import { runFtpSession } from "./session.js";

export const ftp: Protocol = {
  name: "ftp",
  family: "ftp",
  description: ftpDescription,
  defaultPorts: [21],
  run: runFtpSession,
};
