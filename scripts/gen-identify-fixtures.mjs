// Writes synthetic identification fixtures (rules/examples/records/*.json) from documented replies.
// Each record is built in the shape of a lab record (src/store/schema.ts); ip in 192.0.2.0/24.
// Usage: node scripts/gen-identify-fixtures.mjs
import { mkdirSync, writeFileSync } from "node:fs";

const OUT = new URL("../rules/examples/records/", import.meta.url);
const DATE = "2026-11-23";
const H = "mail.example.com";
const R = "§ = shared/research/fingerprinting.md";
function reply(raw) {
  const ls = raw.split("\n");
  const code = Number(ls[0].slice(0, 3));
  const lines = ls.map((l) => l.slice(4));
  const m = /^([245]\.\d{1,3}\.\d{1,3}) /.exec(lines[0]);
  return { code, enhanced: m ? m[1] : null, lines, raw: ls.map((l) => `${l}\r\n`).join("") };
}
const ehloRaw = (ls) => ls.map((l, i) => `250${i < ls.length - 1 ? "-" : " "}${l}`).join("\n");
const D = "Mon, 23 Nov 2026 12:00:00 +0000";
let n = 0;
function build(spec, ipLast, stripped) {
  const banner = stripped ? `220 ${H} ESMTP` : spec.banner;
  const greeting = reply(banner);
  const t = [];
  let ms = 0;
  const push = (conn, dir, data) => {
    ms += 7;
    t.push({ t: ms, conn, dir, data });
  };
  const ip = `192.0.2.${ipLast}`;
  push(0, "I", `connect ${ip}:25`);
  for (const l of banner.split("\n")) push(0, "S", l);
  const replies = { greeting };
  let ehlo = null;
  const helo = null;
  push(0, "C", "EHLO scanner.smtpsurvey.test");
  if (spec.ehlo) {
    ehlo = spec.ehlo;
    replies.ehlo = reply(ehloRaw(ehlo));
    for (const l of ehloRaw(ehlo).split("\n")) push(0, "S", l);
  }
  const main = (cmd, raw) => {
    if (!raw) return null;
    push(0, "C", cmd);
    for (const l of raw.split("\n")) push(0, "S", l);
    return reply(raw);
  };
  const help = main("HELP", spec.help);
  const starttls = main("STARTTLS", spec.starttls);
  if (starttls) push(0, "I", "TLS not completed (synthetic record)");
  const quit = starttls ? null : main("QUIT", spec.quit);
  push(0, "I", "close");
  const CMDS = {
    "bare-ehlo": ["EHLO"],
    "unknown-verb": ["XYZZY"],
    "mail-before-ehlo": ["MAIL FROM:<>"],
    vrfy: ["EHLO scanner.smtpsurvey.test", "VRFY postmaster"],
    expn: ["EHLO scanner.smtpsurvey.test", "EXPN postmaster"],
    "nul-byte": ["NOOP\\x00X"],
    "starttls-after-helo": ["HELO scanner.smtpsurvey.test", "STARTTLS"],
    "noop-rset": ["NOOP", "RSET"],
  };
  const probes = [];
  let conn = 0;
  for (const [name, raws0] of Object.entries(spec.probes ?? {})) {
    const raws = Array.isArray(raws0) ? raws0 : [raws0];
    const cmds = CMDS[name];
    conn++;
    push(conn, "I", `connect ${ip}:25`);
    for (const l of banner.split("\n")) push(conn, "S", l);
    const steps = [{ command: "", reply: greeting }];
    // raws gives the reply to each command; if fewer replies than commands, the earlier ones get 250 OK
    const pad = cmds.length - raws.length;
    cmds.forEach((c, i) => {
      const raw =
        i < pad ? (c.startsWith("HELO") || c.startsWith("EHLO") ? `250 ${H}` : "250 OK") : raws[i - pad];
      push(conn, "C", c);
      for (const l of raw.split("\n")) push(conn, "S", l);
      steps.push({ command: c, reply: reply(raw) });
    });
    push(conn, "C", "QUIT");
    push(conn, "I", "close");
    probes.push({ name, status: "ok", steps, ended: "complete" });
  }
  const record = {
    schema: 1,
    ip,
    port: 25,
    protocol: "smtp",
    name: null,
    status: "ok",
    error: null,
    started_at: `${DATE}T12:00:00.000Z`,
    duration_ms: ms,
    smtp: { banner, ehlo, helo, help, starttls, ehlo_tls: null, quit, replies, probes },
    tls: null,
    ssh: null,
    imap: null,
    pop3: null,
    http: null,
    transcript: t,
  };
  return {
    synthetic: {
      source:
        spec.source +
        (stripped ? "; banner replaced by a generic one to measure banner-stripped identification" : ""),
      date: DATE,
    },
    truth: {
      product: spec.product,
      version: stripped ? (spec.strippedVersion ?? null) : (spec.version ?? null),
    },
    record,
  };
}
const S = [
  {
    slug: "qmail",
    product: "qmail",
    version: null,
    source: `${R} §2 row 6, §3.2–§3.5, §3.13 [src: notqmail qmail-smtpd.c]`,
    banner: `220 ${H} ESMTP`,
    ehlo: [H, "PIPELINING", "8BITMIME"],
    help: "214 netqmail home page: http://qmail.org/netqmail",
    quit: `221 ${H}`,
    probes: {
      "bare-ehlo": ehloRaw([H, "PIPELINING", "8BITMIME"]),
      "unknown-verb": "502 unimplemented (#5.5.1)",
      "mail-before-ehlo": "250 ok",
      vrfy: "252 send some mail, i'll try my best",
      "starttls-after-helo": "502 unimplemented (#5.5.1)",
      "noop-rset": ["250 ok", "250 flushed"],
    },
    strip: false,
  },
  {
    slug: "courier",
    product: "Courier MTA",
    source: `${R} §2 row 7, §3.1, §3.4, §3.5, §3.12, §3.13 [src: courieresmtpd.C]`,
    banner: `220 ${H} ESMTP`,
    ehlo: [
      `${H} Ok.`,
      "AUTH LOGIN PLAIN",
      "STARTTLS",
      "XVERP=Courier",
      "XEXDATA",
      "XSECURITY=NONE,STARTTLS",
      "PIPELINING",
      "8BITMIME",
      "SMTPUTF8",
      "SIZE",
      "DSN",
    ],
    help: "502 ESMTP command error",
    starttls: "220 Ok",
    probes: {
      "unknown-verb": "502 ESMTP command error",
      "mail-before-ehlo": "502 Polite people say HELO first",
      vrfy: "252 VRFY disabled",
    },
    strip: false,
  },
  {
    slug: "haraka",
    product: "Haraka",
    version: "3.1.1",
    source: `${R} §2 row 8, §3.2–§3.5, §3.12, §3.13 [src: connection.js]`,
    banner: `220 ${H} ESMTP Haraka/3.1.1 ready (A1B2C3)`,
    ehlo: [
      `${H} Hello client.example.net [198.51.100.7], Haraka is at your service.`,
      "PIPELINING",
      "8BITMIME",
      "SMTPUTF8",
      "SIZE 0",
      "STARTTLS",
    ],
    help: "250 Not implemented",
    quit: `221 ${H} closing connection. Have a jolly good day.`,
    probes: {
      "bare-ehlo": "501 EHLO requires domain/address - see RFC-2821 4.1.1.1",
      "unknown-verb": "500 Unrecognized command",
      "mail-before-ehlo": "503 Use EHLO/HELO before MAIL",
    },
  },
  {
    slug: "postfix",
    product: "Postfix",
    version: "3.9.1",
    strippedVersion: "3.9.1",
    source: `${R} §2 row 1, §3.11 [src: Postfix 3.9 smtpd.c]; version from the ladder: HELP 214 without REQUIRETLS = 3.9–3.10`,
    banner: `220 ${H} ESMTP Postfix (Ubuntu)`,
    ehlo: [
      H,
      "PIPELINING",
      "SIZE 10240000",
      "VRFY",
      "ETRN",
      "STARTTLS",
      "ENHANCEDSTATUSCODES",
      "8BITMIME",
      "DSN",
      "SMTPUTF8",
      "CHUNKING",
    ],
    help: "214 2.0.0 Commands: AUTH BDAT DATA EHLO ETRN HELO MAIL NOOP QUIT RCPT RSET STARTTLS VRFY XCLIENT XFORWARD",
    quit: "221 2.0.0 Bye",
    probes: {
      "bare-ehlo": "501 Syntax: EHLO hostname",
      "unknown-verb": "500 5.5.2 Error: command not recognized",
      "mail-before-ehlo": "250 2.1.0 Ok",
      "noop-rset": ["250 2.0.0 Ok", "250 2.0.0 Ok"],
    },
  },
  {
    slug: "postfix",
    first: 3,
    product: "Postfix",
    version: "3.5.25",
    strippedVersion: "3.5.25",
    source: `${R} §2 row 1, §3.11 [src: Postfix 3.4–3.6 smtpd.c]: 502 unknown verb + CHUNKING = 3.4–3.6`,
    banner: `220 ${H} ESMTP Postfix`,
    ehlo: [
      H,
      "PIPELINING",
      "SIZE 10240000",
      "VRFY",
      "ETRN",
      "STARTTLS",
      "ENHANCEDSTATUSCODES",
      "8BITMIME",
      "DSN",
      "SMTPUTF8",
      "CHUNKING",
    ],
    help: "502 5.5.2 Error: command not recognized",
    quit: "221 2.0.0 Bye",
    probes: {
      "bare-ehlo": "501 Syntax: EHLO hostname",
      "unknown-verb": "502 5.5.2 Error: command not recognized",
      "mail-before-ehlo": "250 2.1.0 Ok",
    },
  },
  {
    slug: "postfix-postscreen",
    product: "Postfix postscreen",
    source: `${R} §2 row 2, §3.8 [src: postscreen_smtpd.c]`,
    banner: `220-${H} ESMTP Postfix\n220 ${H} ESMTP Postfix`,
    ehlo: [
      H,
      "SIZE 10240000",
      "VRFY",
      "ETRN",
      "STARTTLS",
      "ENHANCEDSTATUSCODES",
      "8BITMIME",
      "DSN",
      "SMTPUTF8",
      "CHUNKING",
    ],
    help: "502 5.5.2 Error: command not recognized",
    probes: {
      "bare-ehlo": "501 Syntax: EHLO hostname",
      "unknown-verb": "502 5.5.2 Error: command not recognized",
    },
  },
  {
    slug: "exim",
    product: "Exim",
    version: "4.98",
    strippedVersion: "4.98",
    source: `${R} §2 row 3, §3.11 [src: Exim 4.98 smtp_in.c, NewStuff]`,
    banner: `220 ${H} ESMTP Exim 4.98 ${D}`,
    ehlo: [
      `${H} Hello client.example.net [198.51.100.7]`,
      "SIZE 52428800",
      "LIMITS MAILMAX=1000 RCPTMAX=50000",
      "8BITMIME",
      "PIPELINING",
      "PIPECONNECT",
      "AUTH PLAIN LOGIN",
      "CHUNKING",
      "STARTTLS",
      "PRDR",
      "SMTPUTF8",
      "HELP",
    ],
    help: "214-Commands supported:\n214 AUTH STARTTLS HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP",
    quit: `221 ${H} closing connection`,
    probes: {
      "bare-ehlo": "501 Syntactically invalid EHLO argument(s)",
      "unknown-verb": "500 unrecognized command",
      "mail-before-ehlo": "503 HELO or EHLO required",
      "nul-byte": "501 NUL characters are not allowed in SMTP commands",
      "noop-rset": ["250 OK", "250 Reset OK"],
    },
  },
  {
    slug: "exim-cpanel",
    product: "Exim",
    version: "4.96",
    source: `${R} §2 row 3 (cPanel banner shape), §3.1 (SIZE 52428800)`,
    banner: `220-${H} ESMTP Exim 4.96 #2 ${D}\n220-We do not authorize the use of this system to transport unsolicited,\n220 and/or bulk e-mail.`,
    ehlo: [
      `${H} Hello client.example.net [198.51.100.7]`,
      "SIZE 52428800",
      "8BITMIME",
      "PIPELINING",
      "PIPECONNECT",
      "AUTH PLAIN LOGIN",
      "CHUNKING",
      "STARTTLS",
      "SMTPUTF8",
      "HELP",
    ],
    help: "214-Commands supported:\n214 AUTH STARTTLS HELO EHLO MAIL RCPT DATA BDAT NOOP QUIT RSET HELP",
    quit: `221 ${H} closing connection`,
    probes: {
      "bare-ehlo": "501 Syntactically invalid EHLO argument(s)",
      "unknown-verb": "500 unrecognized command",
    },
    strip: false,
  },
  {
    slug: "sendmail",
    product: "Sendmail",
    version: "8.18.1",
    strippedVersion: "8.18.1",
    source: `${R} §2 row 4, §3.3 [src: srvrsmtp.c, helpfile]: HELP names the version even without the banner`,
    banner: `220 ${H} ESMTP Sendmail 8.18.1/8.18.1; ${D}`,
    ehlo: [
      `${H} Hello client.example.net [198.51.100.7], pleased to meet you`,
      "ENHANCEDSTATUSCODES",
      "PIPELINING",
      "8BITMIME",
      "SIZE",
      "DSN",
      "ETRN",
      "AUTH DIGEST-MD5 CRAM-MD5",
      "STARTTLS",
      "DELIVERBY",
      "HELP",
    ],
    help: "214-2.0.0 This is sendmail version 8.18.1\n214-2.0.0 Topics:\n214-2.0.0 \tHELO\tEHLO\tMAIL\tRCPT\tDATA\n214 2.0.0 End of HELP info",
    quit: `221 2.0.0 ${H} closing connection`,
    probes: {
      "bare-ehlo": "501 5.0.0 EHLO requires domain address",
      "unknown-verb": '500 5.5.1 Command unrecognized: "XYZZY"',
      vrfy: "252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)",
      "noop-rset": ["250 2.0.0 OK", "250 2.0.0 Reset state"],
    },
  },
  {
    slug: "opensmtpd",
    product: "OpenSMTPD",
    source: `${R} §2 row 5, §3.2–§3.5 [src: smtp_session.c]`,
    banner: `220 ${H} ESMTP OpenSMTPD`,
    ehlo: [
      `${H} Hello client.example.net [198.51.100.7], pleased to meet you`,
      "8BITMIME",
      "ENHANCEDSTATUSCODES",
      "SIZE 36700160",
      "DSN",
      "STARTTLS",
      "HELP",
    ],
    help: "214-2.0.0 This is OpenSMTPD\n214-2.0.0 To report bugs in the implementation, please contact bugs@openbsd.org\n214-2.0.0 with full details\n214 2.0.0 End of HELP info",
    probes: {
      "bare-ehlo": "501 5.5.1 Invalid command: EHLO requires domain name",
      "unknown-verb": "500 5.5.1 Invalid command: Command unrecognized",
      "mail-before-ehlo": "503 5.5.1 Invalid command: Command not allowed at this point.",
    },
  },
  {
    slug: "microsoft-exchange",
    product: "Microsoft Exchange Server",
    version: "2016",
    strippedVersion: "2016",
    source: `${R} §2 row 9, §3.4, §3.5, §3.11–§3.13 [t]`,
    banner: `220 ${H} Microsoft ESMTP MAIL Service ready at ${D}`,
    ehlo: [
      `${H} Hello [198.51.100.7]`,
      "SIZE 37748736",
      "PIPELINING",
      "DSN",
      "ENHANCEDSTATUSCODES",
      "STARTTLS",
      "X-ANONYMOUSTLS",
      "AUTH NTLM",
      "X-EXPS GSSAPI NTLM",
      "8BITMIME",
      "BINARYMIME",
      "CHUNKING",
      "SMTPUTF8",
      "XRDST",
    ],
    help: "214-This server supports the following commands:\n214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT",
    starttls: "220 2.0.0 SMTP server ready",
    probes: {
      "unknown-verb": "500 5.3.3 Unrecognized command 'XYZZY'",
      "mail-before-ehlo": "503 5.5.2 Send hello first",
      "starttls-after-helo": "220 2.0.0 SMTP server ready",
    },
  },
  {
    slug: "microsoft-exchange",
    first: 3,
    product: "Microsoft Exchange Server",
    version: "2010",
    strippedVersion: "2010",
    source: `${R} §2 row 9, §3.11 (XSHADOW → 2010) [t]`,
    banner: `220 ${H} Microsoft ESMTP MAIL Service ready at ${D}`,
    ehlo: [
      `${H} Hello [198.51.100.7]`,
      "SIZE 10485760",
      "PIPELINING",
      "DSN",
      "ENHANCEDSTATUSCODES",
      "STARTTLS",
      "X-ANONYMOUSTLS",
      "AUTH NTLM",
      "X-EXPS GSSAPI NTLM",
      "8BITMIME",
      "BINARYMIME",
      "CHUNKING",
      "XEXCH50",
      "XRDST",
      "XSHADOW",
    ],
    help: "214-This server supports the following commands:\n214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT",
    probes: {
      "unknown-verb": "500 5.3.3 Unrecognized command",
      "mail-before-ehlo": "503 5.5.2 Send hello first",
    },
  },
  {
    slug: "microsoft-iis-smtp",
    product: "Microsoft IIS SMTP Service",
    version: "6.0.3790.3959",
    source: `${R} §2 row 11 [t]; IIS 6 EHLO layout from public transcripts [t]`,
    banner: `220 ${H} Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at  ${D}`,
    ehlo: [
      `${H} Hello [198.51.100.7]`,
      "TURN",
      "SIZE 2097152",
      "ETRN",
      "PIPELINING",
      "DSN",
      "ENHANCEDSTATUSCODES",
      "8bitmime",
      "BINARYMIME",
      "CHUNKING",
      "VRFY",
      "X-EXPS GSSAPI NTLM LOGIN",
      "X-EXPS=LOGIN",
      "AUTH GSSAPI NTLM LOGIN",
      "AUTH=LOGIN",
      "X-LINK2STATE",
      "XEXCH50",
      "OK",
    ].filter((k) => k !== "X-LINK2STATE" && k !== "XEXCH50"),
    help: "214-This server supports the following commands:\n214 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH TURN ETRN BDAT VRFY",
    probes: { "unknown-verb": "500 5.3.3 Unrecognized command" },
  },
  {
    slug: "microsoft-365",
    product: "Microsoft 365 Exchange Online",
    source: `${R} §2 row 10 [t]`,
    banner:
      "220 contoso-com.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Mon, 23 Nov 2026 12:00:00 +0000",
    ehlo: [
      "contoso-com.mail.protection.outlook.com Hello [198.51.100.7]",
      "SIZE 157286400",
      "PIPELINING",
      "DSN",
      "ENHANCEDSTATUSCODES",
      "STARTTLS",
      "8BITMIME",
      "BINARYMIME",
      "CHUNKING",
      "SMTPUTF8",
    ],
    starttls: "220 2.0.0 SMTP server ready",
    probes: {
      "unknown-verb": "500 5.3.3 Unrecognized command 'XYZZY'",
      "mail-before-ehlo": "503 5.5.2 Send hello first",
    },
  },
  {
    slug: "google",
    product: "Google Gmail/Workspace",
    source: `${R} §2 row 12, §3.1, §3.4 [t]`,
    banner: "220 mx.google.com ESMTP a1b2c3d4e5f6-1234567abcdef.12 - gsmtp",
    ehlo: [
      "mx.google.com at your service, [198.51.100.7]",
      "SIZE 157286400",
      "8BITMIME",
      "STARTTLS",
      "ENHANCEDSTATUSCODES",
      "PIPELINING",
      "CHUNKING",
      "SMTPUTF8",
    ],
    help: "214 2.0.0  https://www.google.com/search?btnI&q=RFC+5321 a1b2c3d4e5f6-1234567abcdef.12 - gsmtp",
    starttls: "220 2.0.0 Ready to start TLS",
    probes: {
      "unknown-verb":
        "502 5.5.1 Unrecognized command. For more information, go to  https://support.google.com/a/answer/3221692 a1b2c3d4e5f6-1234567abcdef.12 - gsmtp",
    },
  },
  {
    slug: "cisco-esa",
    product: "Cisco Secure Email Gateway (IronPort)",
    source: `${R} §2 row 16, §3.4, §3.5, §3.13 [t][Cisco TAC note 217162]`,
    banner: `220 ${H} ESMTP`,
    ehlo: [H, "8BITMIME", "SIZE 10485760", "STARTTLS", "SMTPUTF8"],
    help: "214-The following commands are recognized\n214-\thelo\tehlo\tmail\trcpt\tdata\n214 \trset\tnoop\tquit\thelp\tstarttls",
    quit: `221 ${H}`,
    probes: {
      "bare-ehlo": "501 #5.0.0 EHLO requires domain address",
      "unknown-verb": "500 #5.5.1 command not recognized",
    },
    strip: false,
  },
  {
    slug: "mdaemon",
    product: "MDaemon",
    version: "23.5.2",
    source: `${R} §2 row 22, §3.2, §3.3 [t]`,
    banner: `220 ${H} ESMTP MDaemon 23.5.2; ${D}`,
    ehlo: [
      `${H} Hello client.example.net, pleased to meet you`,
      "ETRN",
      "AUTH LOGIN CRAM-MD5 PLAIN",
      "8BITMIME",
      "ENHANCEDSTATUSCODES",
      "STARTTLS",
      "SIZE 31457280",
    ],
    help: "214 Help system currently inactive.",
    probes: { "bare-ehlo": "550 Invalid or missing command argument(s)" },
  },
  {
    slug: "kerio-connect",
    product: "Kerio Connect",
    version: "10.0.2",
    source: `${R} §2 row 24, §3.4`,
    banner: `220 ${H} Kerio Connect 10.0.2 ESMTP ready`,
    ehlo: [
      H,
      "AUTH CRAM-MD5 PLAIN LOGIN DIGEST-MD5",
      "SIZE 0",
      "ENHANCEDSTATUSCODES",
      "8BITMIME",
      "STARTTLS",
    ],
    help: "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY QUIT STARTTLS",
    probes: { "unknown-verb": "500 5.5.1 Command unrecognized" },
  },
  {
    slug: "domino",
    product: "HCL Domino",
    version: "12.0.2",
    source: `${R} §2 row 26, §3.2`,
    banner: `220 ${H} ESMTP Service (HCL Domino Release 12.0.2) ready at ${D}`,
    ehlo: [
      `${H} Hello client.example.net ([198.51.100.7]), pleased to meet you`,
      "HELP",
      "SIZE 0",
      "PIPELINING",
      "DSN",
      "8BITMIME",
    ],
    help: "214-Enter one of the following commands:\n214 HELO EHLO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY SIZE DSN",
    probes: { "bare-ehlo": '501 Command "EHLO" requires an argument' },
  },
  {
    slug: "communigate-pro",
    product: "CommuniGate Pro",
    version: "6.3.14",
    source: `${R} §2 row 28, §3.2`,
    banner: `220 ${H} ESMTP CommuniGate Pro 6.3.14`,
    ehlo: [
      `${H} domain name should be qualified`,
      "DSN",
      "SIZE 0",
      "STARTTLS",
      "AUTH LOGIN PLAIN CRAM-MD5 DIGEST-MD5",
      "ETRN",
      "TURN",
      "ATRN",
      "NO-SOLICITING",
      "8BITMIME",
      "HELP",
      "PIPELINING",
      "EHLO",
    ],
    help: "214-Commands Supported:\n214-HELO EHLO AUTH STARTTLS MAIL RCPT DATA RSET NOOP QUIT HELP VRFY ETRN TURN ATRN\n214 Copyright (c) Stalker Software, Inc.",
    probes: { "bare-ehlo": ehloRaw([`${H} domain name should be qualified`, "DSN", "HELP"]) },
  },
  {
    slug: "hmailserver",
    product: "hMailServer",
    version: "5.6.8",
    source: `${R} §2 row 23, §3.3`,
    banner: `220 ${H} ESMTP hMailServer 5.6.8`,
    ehlo: [H, "SIZE 20480000", "AUTH LOGIN", "HELP"],
    help: "211 DATA HELO EHLO MAIL NOOP QUIT RCPT RSET SAML TURN VRFY",
  },
  {
    slug: "mailenable",
    product: "MailEnable",
    version: "10.44",
    source: `${R} §2 row 29, §3.3`,
    banner: `220 ${H} ESMTP MailEnable Service, Version: 10.44-- ready at 11/23/26 12:00:00`,
    ehlo: [
      `${H} [198.51.100.7], this server offers 4 extensions`,
      "AUTH LOGIN",
      "SIZE 20480000",
      "HELP",
      "AUTH=LOGIN",
    ],
    help: "211 Help:->Supported Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT HELP",
  },
  {
    slug: "smartermail",
    product: "SmarterMail",
    source: `${R} §2 row 30, §3.3 (weak: host-only banner)`,
    banner: `220 ${H}`,
    help: "502 Command not implemented",
    strip: false,
  },
  {
    slug: "icewarp",
    product: "IceWarp Mail Server",
    version: "13.0.2",
    source: `${R} §2 row 25, §3.3`,
    banner: `220 ${H} ESMTP IceWarp 13.0.2; ${D}`,
    help: "214-2.0.0 This is IceWarp Mail Server 13.0.2\n214-2.0.0 Topics:\n214 2.0.0 End of HELP info",
  },
  {
    slug: "axigen",
    product: "Axigen",
    source: `${R} §2 row 27, §3.1`,
    banner: `220 ${H} Axigen ESMTP ready`,
    ehlo: [
      `${H} Axigen ESMTP hello`,
      "PIPELINING",
      "AUTH PLAIN LOGIN CRAM-MD5 DIGEST-MD5",
      "8BITMIME",
      "SIZE 10485760",
      "STARTTLS",
      "HELP",
    ],
  },
  {
    slug: "proofpoint",
    product: "Proofpoint",
    source: `${R} §2 row 13 [t]`,
    banner: "220 mx0a-00123401.pphosted.com ESMTP mfa-m0123456",
    ehlo: [
      "mx0a-00123401.pphosted.com Hello client.example.net [198.51.100.7], pleased to meet you",
      "ENHANCEDSTATUSCODES",
      "PIPELINING",
      "8BITMIME",
      "SIZE 52428800",
      "STARTTLS",
      "DELIVERBY",
    ],
    strip: false,
  },
  {
    slug: "barracuda",
    product: "Barracuda Email Security Gateway",
    source: `${R} §2 row 15`,
    banner: `220 ${H} ESMTP (0123456789abcdef0123456789abcdef)`,
    strip: false,
  },
  {
    slug: "fortimail",
    product: "FortiMail",
    source: `${R} §2 row 19`,
    banner: `220 ${H} ESMTP Smtpd; ${D}`,
    ehlo: [
      `${H} Hello client.example.net [198.51.100.7], pleased to meet you`,
      "ENHANCEDSTATUSCODES",
      "PIPELINING",
      "8BITMIME",
      "SIZE 10485760",
      "DSN",
      "AUTH LOGIN PLAIN",
      "STARTTLS",
      "HELP",
    ],
    strip: false,
  },
  {
    slug: "symantec-messaging-gateway",
    product: "Symantec Messaging Gateway / Email Security.cloud",
    source: `${R} §2 row 20`,
    banner: `220 ${H} ESMTP Symantec Messaging Gateway`,
    strip: false,
  },
  {
    slug: "trend-micro",
    product: "Trend Micro Email Security (IMSVA/IMSS)",
    version: "9.1",
    source: `${R} §2 row 18`,
    banner: `220-InterScan Version 9.1 Ready\n220 ${H} ESMTP Postfix`,
    strip: false,
  },
  {
    slug: "mimecast",
    product: "Mimecast",
    source: `${R} §2 row 14 [t]`,
    banner: "220 eu-smtp-inbound-1.mimecast.com ESMTP",
    strip: false,
  },
  {
    slug: "stalwart",
    product: "Stalwart Mail Server",
    source: `${R} §2 row 31 [t]`,
    banner: `220 ${H} Stalwart ESMTP at your service`,
    ehlo: [
      `${H} you had me at EHLO`,
      "8BITMIME",
      "ENHANCEDSTATUSCODES",
      "PIPELINING",
      "SIZE 104857600",
      "STARTTLS",
      "SMTPUTF8",
    ],
  },
  {
    slug: "zimbra",
    product: "Zimbra Collaboration",
    source: `${R} §2 row 21 (Postfix underneath; identified by the default certificate OU) [t]`,
    banner: `220 ${H} ESMTP Postfix`,
    ehlo: [
      H,
      "PIPELINING",
      "SIZE 10240000",
      "VRFY",
      "ETRN",
      "STARTTLS",
      "ENHANCEDSTATUSCODES",
      "8BITMIME",
      "DSN",
      "SMTPUTF8",
      "CHUNKING",
    ],
    cert: {
      subject: `OU=Zimbra Collaboration Server, CN=${H}`,
      issuer: "O=CA, OU=Zimbra Collaboration Server, CN=zmail.example.com",
    },
    strip: false,
  },
];
mkdirSync(OUT, { recursive: true });
let ipLast = 10;
for (const spec of S) {
  const f = build(spec, ipLast++, false);
  if (spec.cert)
    f.record.tls = {
      implicit: false,
      version: null,
      cipher: null,
      chain: [
        {
          der: "",
          sha256: "",
          spki_sha256: "",
          subject: spec.cert.subject,
          issuer: spec.cert.issuer,
          san: [],
          not_before: "2026-01-01T00:00:00.000Z",
          not_after: "2036-01-01T00:00:00.000Z",
          serial: "00",
          key_type: "rsa",
          key_bits: 2048,
          self_signed: true,
        },
      ],
      error: "synthetic record: no handshake",
      names: null,
    };
  const k = spec.first ?? 1;
  writeFileSync(new URL(`${spec.slug}-${k}.json`, OUT), `${JSON.stringify(f, null, 2)}\n`);
  n++;
  if (spec.strip !== false && spec.ehlo) {
    writeFileSync(
      new URL(`${spec.slug}-${k + 1}.json`, OUT),
      `${JSON.stringify(build(spec, ipLast++, true), null, 2)}\n`,
    );
    n++;
  }
}
console.log(`${n} fixtures`);
