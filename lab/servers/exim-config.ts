/** What the lab's Exim configuration varies on; everything else is Exim's own default. */
export interface EximConfigInput {
  eximPath: string;
  hostname: string;
  ip: string;
  spoolDir: string;
  logDir: string;
  pidFile: string;
  certFile: string;
  keyFile: string;
  /** undefined keeps Exim's compiled-in banner, which names product and version */
  smtpBanner: string | undefined;
}

/**
 * A self-contained exim.conf (not Debian's split configuration): Exim's defaults for the SMTP
 * dialogue, TLS advertised to everyone, every recipient refused and no transport at all, so
 * nothing can ever be delivered or relayed.
 */
export function renderEximConfig(input: EximConfigInput): string {
  const banner = input.smtpBanner === undefined ? [] : [`smtp_banner = ${input.smtpBanner}`];
  return [
    "# smtpsurvey lab: generated on every start, edits are lost.",
    `exim_path = ${input.eximPath}`,
    `spool_directory = ${input.spoolDir}`,
    `log_file_path = ${input.logDir}/%slog`,
    `pid_file_path = ${input.pidFile}`,
    // The daemon runs with an empty environment anyway; this only silences the start-up warning.
    "keep_environment =",
    `primary_hostname = ${input.hostname}`,
    `local_interfaces = <; ${input.ip}`,
    "daemon_smtp_ports = 25",
    ...banner,
    "domainlist local_domains = @",
    // As in Exim's example configure file: the EHLO reply names the client's reverse DNS.
    "host_lookup = *",
    "tls_advertise_hosts = *",
    `tls_certificate = ${input.certFile}`,
    `tls_privatekey = ${input.keyFile}`,
    "acl_smtp_rcpt = acl_check_rcpt",
    "acl_smtp_data = acl_check_data",
    "never_users = root",
    "",
    "begin acl",
    "",
    "acl_check_rcpt:",
    "  deny    domains = !+local_domains",
    "          message = relay not permitted",
    // Fails for every address: the only router below fails them all.
    "  require verify = recipient",
    "  accept",
    "",
    "acl_check_data:",
    "  deny    message = the lab accepts no messages",
    "",
    "begin routers",
    "",
    "refuse_everything:",
    "  driver = redirect",
    "  allow_fail",
    "  data = :fail: Unrouteable address",
    "",
    "begin transports",
    "",
    "begin retry",
    "",
    "*   *   F,2h,15m",
    "",
  ].join("\n");
}
