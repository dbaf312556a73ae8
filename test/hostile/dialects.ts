/**
 * What each protocol's server side looks like to the generic hostile behaviours in
 * protocol-servers.ts: its greeting (SMTP 220, IMAP `* OK`, POP3 `+OK`, SSH's identification
 * line; none for HTTP, where the client speaks first), how a request is framed, the polite
 * answer to each request, and where an endless reply or a huge line fits in the protocol.
 *
 * One dialect per name in the registry (`protocolNames()`); the `…s` names are their plain
 * twin with `implicitTls`. Only the server side lives here: what the scanner must make of it is
 * in every-protocol.test.ts.
 */
import { expect } from "vitest";
import type { ScanRecord } from "../../src/store/schema.js";
import { kexinitPacket, SAMPLE_LISTS } from "../support/ssh-packets.js";

export type ProtocolName =
  | "smtp"
  | "smtps"
  | "imap"
  | "imaps"
  | "pop3"
  | "pop3s"
  | "http"
  | "https"
  | "ssh"
  | "ftp";

export const PROTOCOL_NAMES: readonly ProtocolName[] = [
  "smtp",
  "smtps",
  "imap",
  "imaps",
  "pop3",
  "pop3s",
  "http",
  "https",
  "ssh",
  "ftp",
];

/** What the server does after an answer: nothing more, hang up, or upgrade to TLS (STARTTLS/STLS). */
export type Next = "stay" | "end" | "tls";

export interface Answer {
  bytes: string | Buffer;
  next: Next;
}

export interface Dialect {
  readonly protocol: ProtocolName;
  /** TLS first (RFC 8314): the greeting and everything after it run inside TLS */
  readonly implicitTls: boolean;
  /**
   * How the client's bytes become requests: one a line (SMTP, IMAP, POP3), the head up to its
   * empty line (HTTP), or every chunk (SSH: after the identification the client speaks binary).
   */
  readonly framing: "line" | "http-head" | "chunk";
  /** the server's first words; null when the client speaks first (HTTP) */
  readonly greeting: string | null;
  /** the polite answer to one request (a line, an HTTP head, an SSH chunk) */
  answer(request: string, secure: boolean): Answer;
  /** a greeting that turns the client away (554, `* BYE`, `-ERR`, an HTTP 503); null: none exists */
  readonly refusal: string | null;
  /** another protocol's greeting, as a server of that protocol on this port would send it */
  readonly foreign: string;
  /**
   * The one reply that may legitimately go on for many lines, made endless: `opening` once,
   * then `line` forever; `onRequest`: it answers the first request instead of greeting.
   */
  readonly endless: { onRequest: boolean; opening: string; line: string };
  /** the text before a 1 MiB run of bytes with no newline; `onRequest` as for `endless` */
  readonly hugeLine: { onRequest: boolean; prefix: string };
  /** the command that upgrades to TLS and the server's yes to it; null: no STARTTLS in the protocol */
  readonly startTls: { verb: string; ok: (request: string) => string } | null;
  /** what a polite session's record must hold, for a protocol the suite has no case of its own for */
  readonly politeRecord?: (record: ScanRecord, implicitTls: boolean) => void;
}

const HOST = "hostile.test";

const stay = (bytes: string | Buffer): Answer => ({ bytes, next: "stay" });
const end = (bytes: string): Answer => ({ bytes, next: "end" });
const upgrade = (bytes: string): Answer => ({ bytes, next: "tls" });

const verbOf = (line: string, index = 0): string => (line.split(" ")[index] ?? "").toUpperCase();

const smtpDialect = {
  protocol: "smtp",
  implicitTls: false,
  framing: "line",
  greeting: `220 ${HOST} ESMTP hostile fixture\r\n`,
  answer: (line, secure) => {
    switch (verbOf(line)) {
      case "EHLO":
        return stay(
          `250-${HOST} greets you\r\n250-PIPELINING\r\n250 ${secure ? "8BITMIME" : "STARTTLS"}\r\n`,
        );
      case "HELO":
        return stay(`250 ${HOST}\r\n`);
      case "HELP":
        return stay("214 2.0.0 This is a hostile test fixture\r\n");
      case "STARTTLS":
        return upgrade("220 2.0.0 Ready to start TLS\r\n");
      case "QUIT":
        return end("221 2.0.0 Bye\r\n");
      default:
        return stay("502 5.5.2 Command not recognized\r\n");
    }
  },
  refusal: `554 5.7.1 ${HOST} No SMTP service for you\r\n`,
  foreign: "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n",
  endless: { onRequest: false, opening: "", line: `220-${HOST} this greeting goes on and on and on\r\n` },
  hugeLine: { onRequest: false, prefix: "220 " },
  startTls: { verb: "STARTTLS", ok: () => "220 2.0.0 go ahead\r\n" },
} satisfies Dialect;

/** IMAP answers carry the command's tag: `a1 OK …`. */
const tagOf = (line: string): string => line.split(" ", 1)[0] ?? "*";

const imapDialect = {
  protocol: "imap",
  implicitTls: false,
  framing: "line",
  greeting: `* OK [CAPABILITY IMAP4rev1] ${HOST} IMAP hostile fixture ready\r\n`,
  answer: (line, secure) => {
    const tag = tagOf(line);
    switch (verbOf(line, 1)) {
      case "CAPABILITY":
        return stay(
          `* CAPABILITY IMAP4rev1 ${secure ? "AUTH=PLAIN" : "STARTTLS LOGINDISABLED"}\r\n${tag} OK done\r\n`,
        );
      case "STARTTLS":
        return upgrade(`${tag} OK Begin TLS negotiation now\r\n`);
      case "LOGOUT":
        return end(`* BYE ${HOST} logging out\r\n${tag} OK done\r\n`);
      default:
        return stay(`${tag} BAD unknown command\r\n`);
    }
  },
  refusal: `* BYE ${HOST} too many connections\r\n`,
  foreign: `220 ${HOST} ESMTP Postfix\r\n`,
  endless: { onRequest: true, opening: "", line: "* CAPABILITY IMAP4rev1 AND-ANOTHER-ONE\r\n" },
  hugeLine: { onRequest: false, prefix: "* OK " },
  startTls: { verb: "STARTTLS", ok: (line) => `${tagOf(line)} OK Begin TLS negotiation now\r\n` },
} satisfies Dialect;

const pop3Dialect = {
  protocol: "pop3",
  implicitTls: false,
  framing: "line",
  greeting: `+OK ${HOST} POP3 hostile fixture ready\r\n`,
  answer: (line, secure) => {
    switch (verbOf(line)) {
      case "CAPA":
        return stay(`+OK capability list follows\r\nUIDL\r\nTOP\r\n${secure ? "USER" : "STLS"}\r\n.\r\n`);
      case "STLS":
        return upgrade("+OK Begin TLS negotiation\r\n");
      case "QUIT":
        return end(`+OK ${HOST} signing off\r\n`);
      default:
        return stay("-ERR unknown command\r\n");
    }
  },
  refusal: `-ERR ${HOST} too many connections from your address\r\n`,
  foreign: `* OK ${HOST} IMAP4rev1 ready\r\n`,
  endless: { onRequest: true, opening: "+OK capability list follows\r\n", line: "X-ENDLESS-CAPABILITY\r\n" },
  hugeLine: { onRequest: false, prefix: "+OK " },
  startTls: { verb: "STLS", ok: () => "+OK go ahead\r\n" },
} satisfies Dialect;

const httpDialect = {
  protocol: "http",
  implicitTls: false,
  framing: "http-head",
  greeting: null,
  answer: () =>
    end("HTTP/1.1 200 OK\r\nServer: hostile-fixture/1.0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
  refusal: "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 60\r\nContent-Length: 0\r\n\r\n",
  foreign: "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n",
  endless: { onRequest: true, opening: "HTTP/1.1 200 OK\r\n", line: "X-Endless: and another header\r\n" },
  // the 1 MiB HTTP header: a good status line, then one header field of a mebibyte
  hugeLine: { onRequest: true, prefix: "HTTP/1.1 200 OK\r\nX-Huge: " },
  startTls: null,
} satisfies Dialect;

/**
 * SSH's polite server is a real ssh2 Server (protocol-servers.ts); the generic behaviours only
 * need the identification and a first answer to the client's identification and KEXINIT.
 */
const sshDialect = {
  protocol: "ssh",
  implicitTls: false,
  framing: "chunk",
  greeting: "SSH-2.0-OpenSSH_9.6p1 hostile-fixture\r\n",
  answer: () => stay(kexinitPacket(SAMPLE_LISTS)),
  refusal: null,
  foreign: `220 ${HOST} ESMTP Postfix\r\n`,
  // RFC 4253 §4.2 lets a server send other lines before its identification: forever, here
  endless: { onRequest: false, opening: "", line: "not the identification yet, keep waiting\r\n" },
  hugeLine: { onRequest: false, prefix: "" },
  startTls: null,
} satisfies Dialect;

/** FTP's control connection (RFC 959, FEAT from RFC 2389, AUTH TLS from RFC 4217). */
const ftpDialect = {
  protocol: "ftp",
  implicitTls: false,
  framing: "line",
  greeting: `220 ${HOST} FTP hostile fixture ready\r\n`,
  answer: (line, secure) => {
    switch (verbOf(line)) {
      case "FEAT":
        return stay(`211-Features:\r\n ${secure ? "PBSZ" : "AUTH TLS"}\r\n UTF8\r\n211 End\r\n`);
      case "SYST":
        return stay("215 UNIX Type: L8\r\n");
      case "AUTH":
        return upgrade("234 AUTH TLS successful\r\n");
      case "QUIT":
        return end("221 Goodbye.\r\n");
      default:
        return stay("500 command not understood\r\n");
    }
  },
  refusal: "421 Too many connections from your address\r\n",
  // an SMTP greeting is a well-formed FTP reply; an SSH identification is not
  foreign: "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5\r\n",
  endless: { onRequest: false, opening: "", line: `220-${HOST} this greeting goes on and on and on\r\n` },
  hugeLine: { onRequest: false, prefix: "220 " },
  startTls: { verb: "AUTH", ok: () => "234 AUTH TLS successful\r\n" },
  politeRecord: (record) => {
    expect(record.ftp?.greeting).toContain("hostile fixture ready");
    expect(record.ftp?.features_tls).toContain("PBSZ");
    expect(record.ftp?.syst).toBe("215 UNIX Type: L8");
  },
} satisfies Dialect;

function implicit(plain: Dialect, protocol: ProtocolName): Dialect {
  return { ...plain, protocol, implicitTls: true, startTls: null };
}

export const DIALECTS: Record<ProtocolName, Dialect> = {
  smtp: smtpDialect,
  smtps: implicit(smtpDialect, "smtps"),
  imap: imapDialect,
  imaps: implicit(imapDialect, "imaps"),
  pop3: pop3Dialect,
  pop3s: implicit(pop3Dialect, "pop3s"),
  http: httpDialect,
  https: implicit(httpDialect, "https"),
  ssh: sshDialect,
  ftp: ftpDialect,
};
