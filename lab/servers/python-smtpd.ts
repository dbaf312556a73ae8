/**
 * Python's standard-library `smtpd` (Debian 12's python3.11 still ships the deprecated module) on
 * 127.77.1.14:25: `python3 -m smtpd -n -c DebuggingServer`, the module's own command line with
 * its defaults. DebuggingServer prints each message to daemon.log and never relays or delivers.
 * Like aiosmtpd (its successor) it greets with the machine's FQDN (socket.getfqdn()), offers no
 * STARTTLS and no AUTH. The version is the module's own `__version__` ("Python SMTP proxy
 * version 0.3", unchanged since Python 2), which is what the greeting shows.
 */
import { LAB_DOMAIN } from "../dns.js";
import type { LabServer } from "../types.js";
import { binaryVersion } from "../versions.js";

const NAME = "python-smtpd";
const IP = "127.77.1.14";
const PYTHON = "/usr/bin/python3";
const FALLBACK_VERSION = "0.3";

export const pythonSmtpdServer: LabServer = {
  name: NAME,
  product: "Python smtpd",
  get version() {
    return binaryVersion(
      [PYTHON, "-W", "ignore", "-c", "import smtpd; print(smtpd.__version__)"],
      /version ([\d.]+)/,
      FALLBACK_VERSION,
    );
  },
  bannerStripped: false,
  ip: IP,
  hostname: `${NAME}.${LAB_DOMAIN}`,
  endpoints: [{ port: 25, protocol: "smtp" }],
  offersStartTls: false,
  aptInstall: ["python3", "libpython3.11-stdlib"],
  async prepare() {
    // nothing to write: the module's defaults, the address on the command line
  },
  commands() {
    return [
      {
        // -n: stay root (no setuid nobody); -W ignore: the module's DeprecationWarnings
        argv: [PYTHON, "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer", `${IP}:25`],
        env: { PYTHONUNBUFFERED: "1" },
        cwd: "/",
      },
    ];
  },
};
