/**
 * The lab's contract: each real server is one LabServer module in lab/servers/. The manager
 * (lab/manager.ts) installs what they need, writes their configuration, starts each in the
 * foreground under setsid inside its own mount namespace (with the lab's /etc/hosts and
 * /etc/resolv.conf bind-mounted), records PID + start time, and stops them by PID only.
 * Every address lives in 127.77.0.0/16.
 */

export interface LabPaths {
  /** the repository's root */
  repo: string;
  /** .lab-state/ (or $SMTPSURVEY_LAB_DIR, or /var/lib/smtpsurvey-lab/<id> when daemons could not reach the checkout): everything the lab writes lives under it */
  state: string;
  /** .lab-state/pkgs/<deb-package>: where `apt-get download` + `dpkg -x` unpacked a package */
  pkg(debPackage: string): string;
  /** .lab-state/servers/<server-name>: a server's own configuration, spool, logs */
  dir(serverName: string): string;
  /** the lab's hosts file, bind-mounted over /etc/hosts for every daemon */
  hostsFile: string;
  /** the lab's resolv.conf (nameserver = the lab DNS), bind-mounted over /etc/resolv.conf */
  resolvConf: string;
}

/** A certificate made on first start by the manager (openssl), PEM files on disk. */
export interface LabCert {
  certFile: string;
  keyFile: string;
  /** certificate and key concatenated, for daemons that want one file */
  comboFile: string;
}

export interface LabContext {
  paths: LabPaths;
  /** the lab DNS server's address (dnsmasq on port 53) */
  dnsIp: string;
  /** a certificate for a host name, created once and reused (same name → same key) */
  cert(hostname: string): Promise<LabCert>;
}

export interface LabEndpoint {
  port: number;
  /** protocol name as smtpsurvey records it: smtp, smtps, … */
  protocol: string;
}

export interface LabCommand {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface LabServer {
  /** unique, e.g. "postfix", "postfix-stripped" */
  name: string;
  /** ground truth for tests and identification: product and version as the package has them */
  product: string;
  version: string;
  /** true when configured to hide product and version in the banner */
  bannerStripped: boolean;
  /** its own address in 127.77.0.0/16 */
  ip: string;
  /** the host name it announces (resolves to ip in the lab DNS and hosts file) */
  hostname: string;
  endpoints: LabEndpoint[];
  /** false when the product in its default configuration offers no STARTTLS (aiosmtpd); default true */
  offersStartTls?: boolean;
  /** Debian packages to unpack with apt-get download + dpkg -x (conflicting MTAs) */
  unpack?: string[];
  /** Debian packages to install normally with apt-get (libraries, helpers) */
  aptInstall?: string[];
  /** npm packages installed into .lab-state/npm/<name> (e.g. Haraka) */
  npm?: string[];
  /** system users the daemon needs (created if missing) */
  users?: string[];
  /** Writes configuration under paths.dir(name); called on every start (idempotent). */
  prepare(ctx: LabContext): Promise<void>;
  /** The foreground command(s) to run; most servers have one. */
  commands(ctx: LabContext): LabCommand[];
  /** Optional: what to run before SIGTERM (e.g. `courier stop`). */
  beforeStop?(ctx: LabContext): LabCommand | undefined;
}
