/** What the lab's sendmail.mc varies on. */
export interface SendmailMcInput {
  /** the unpacked sendmail-cf tree's cf/ directory, with a trailing slash */
  cfDir: string;
  /** the server's own directory, with a trailing slash: every file Sendmail uses lives here */
  settingsDir: string;
  hostname: string;
  ip: string;
  /** the unpacked sendmail-bin help file: HELP names the version even when the banner hides it */
  helpFile: string;
  certFile: string;
  keyFile: string;
  /** SmtpGreetingMessage, replacing the one OSTYPE(debian) sets */
  loginMessage: string;
}

/**
 * Debian 12's sendmail.mc, with every path moved into the server's directory, no MSA on port
 * 587, listening on the lab address only, and a check_rcpt that refuses every recipient: Sendmail
 * treats any client on 127.0.0.1 as local and would relay for it, and the lab must never deliver.
 * The access map is optional (`-o`) and absent, so Debian's access-based features load but match
 * nothing, as on a fresh Debian install.
 */
export function renderSendmailMc(input: SendmailMcInput): string {
  const dir = input.settingsDir;
  return [
    "divert(-1)dnl",
    "# smtpsurvey lab: generated on every start, edits are lost.",
    "divert(0)dnl",
    `define(\`_CF_DIR_', \`${input.cfDir}')dnl`,
    "define(`_USE_ETC_MAIL_')dnl",
    `define(\`MAIL_SETTINGS_DIR', \`${dir}')dnl`,
    `include(\`${input.cfDir}m4/cf.m4')dnl`,
    // Debian's OSTYPE and DOMAIN include this file by absolute path unless sm_version is defined.
    `include(\`${input.cfDir}debian/autoconf.m4')dnl`,
    "VERSIONID(`smtpsurvey lab')",
    "OSTYPE(`debian')dnl",
    "DOMAIN(`debian-mta')dnl",
    // debian-mta and debian put these under /var; every path is the server's own.
    `define(\`STATUS_FILE', \`${dir}sendmail.st')dnl`,
    `define(\`confHOST_STATUS_DIRECTORY', \`${dir}host_status')dnl`,
    `define(\`confPID_FILE', \`${dir}run/sendmail.pid')dnl`,
    `define(\`confCONTROL_SOCKET_NAME', \`${dir}run/smcontrol')dnl`,
    `define(\`confDEAD_LETTER_DROP', \`${dir}dead.letter')dnl`,
    `define(\`QUEUE_DIR', \`${dir}mqueue')dnl`,
    `define(\`ALIAS_FILE', \`${dir}aliases')dnl`,
    `define(\`HELP_FILE', \`${input.helpFile}')dnl`,
    `define(\`confSERVICE_SWITCH_FILE', \`${dir}service.switch')dnl`,
    `define(\`confDOMAIN_NAME', \`${input.hostname}')dnl`,
    "FEATURE(`no_default_msa')dnl",
    `DAEMON_OPTIONS(\`Family=inet, Name=MTA-v4, Port=smtp, Addr=${input.ip}')dnl`,
    // From here to MAILER_DEFINITIONS: Debian 12's sendmail.mc as shipped.
    "define(`confPRIVACY_FLAGS',dnl",
    "`needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,nobodyreturn,authwarnings')dnl",
    "define(`confCONNECTION_RATE_THROTTLE', `15')dnl",
    "define(`confCONNECTION_RATE_WINDOW_SIZE',`10m')dnl",
    "FEATURE(`use_cw_file')dnl",
    `FEATURE(\`access_db', \`hash -o -T<TMPF> ${dir}access')dnl`,
    "FEATURE(`greet_pause', `1000')dnl",
    "FEATURE(`delay_checks', `friend', `n')dnl",
    "define(`confBAD_RCPT_THROTTLE',`3')dnl",
    "FEATURE(`conncontrol', `nodelay', `terminate')dnl",
    "FEATURE(`ratecontrol', `nodelay', `terminate')dnl",
    // STARTTLS with the lab certificate (Debian leaves this to a separate starttls.m4).
    `define(\`confCACERT_PATH', \`${dir}tls')dnl`,
    `define(\`confCACERT', \`${input.certFile}')dnl`,
    `define(\`confSERVER_CERT', \`${input.certFile}')dnl`,
    `define(\`confSERVER_KEY', \`${input.keyFile}')dnl`,
    `define(\`confSMTP_LOGIN_MSG', \`${input.loginMessage}')dnl`,
    "MAILER_DEFINITIONS",
    "MAILER(`local')dnl",
    "MAILER(`smtp')dnl",
    "LOCAL_RULESETS",
    "SLocal_check_rcpt",
    'R$*\t$#error $@ 5.7.1 $: "550 Relaying denied"',
    "",
  ].join("\n");
}
