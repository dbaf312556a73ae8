/**
 * aiosmtpd 1.4.3 from Debian (python3-aiosmtpd, installed with apt) on 127.77.1.12:25:
 * `python3 -m aiosmtpd` with its defaults, run by Debian's /usr/bin/python3 (a venv or pyenv
 * python lacks the module). The default handler (`aiosmtpd.handlers.Debugging`) prints each
 * message to its log and never relays or delivers. By default it offers no STARTTLS (that needs
 * --tlscert/--tlskey), and it greets with the machine's own FQDN (socket.getfqdn()), not the lab
 * host name: both kept, default configuration is the point.
 */
import { LAB_DOMAIN } from "../dns.js";
import type { LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";

const NAME = "aiosmtpd";
const IP = "127.77.1.12";
const PYTHON = "/usr/bin/python3";
/** Debian 12's version, shown until `lab install` has installed the real one */
const FALLBACK_VERSION = "1.4.3";

export const aiosmtpdServer: LabServer = {
  name: NAME,
  product: "aiosmtpd",
  get version() {
    // prints e.g. "aiosmtpd 1.4.3"
    return binaryVersion([PYTHON, "-m", "aiosmtpd", "--version"], /aiosmtpd ([\d.]+)/, FALLBACK_VERSION);
  },
  bannerStripped: false,
  ip: IP,
  hostname: `${NAME}.${LAB_DOMAIN}`,
  endpoints: [{ port: 25, protocol: "smtp" }],
  offersStartTls: false,
  aptInstall: ["python3-aiosmtpd"],
  async prepare() {
    // nothing to write: the defaults, and the address on the command line
  },
  commands() {
    return [
      {
        // -n: stay root instead of setuid nobody, which would happen before binding port 25
        argv: [PYTHON, "-m", "aiosmtpd", "-n", "-l", `${IP}:25`],
        // unbuffered, so the Debugging handler's output reaches daemon.log at once
        env: { PYTHONUNBUFFERED: "1" },
        cwd: "/",
      },
    ];
  },
};
