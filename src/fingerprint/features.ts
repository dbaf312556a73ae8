/**
 * A record → the named strings rules match against (the table in docs/rules.md). Greeting and
 * EHLO text are masked so that a rule never has to know a host's name, address, clock or
 * session id.
 */
import type { Reply, ScanRecord } from "../store/schema.js";
import { hintOf, mailboxHintOf, sshHintOf } from "./hint.js";

/** The parts of a record features read: a whole record, or a session still under way. */
export type FeatureSource = Pick<ScanRecord, "protocol" | "smtp" | "tls"> &
  Partial<Pick<ScanRecord, "ssh" | "imap" | "pop3" | "http">>;

export type Features = Map<string, string>;

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*";
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*";
const CLOCK = "\\d{1,2}:\\d{2}(?::\\d{2})?(?:\\.\\d+)?";
const ZONE = "(?:\\s*(?:[+-]\\d{4}|Z|UTC|GMT|[A-Z]{3,4}T?)(?:\\s*\\([A-Za-z ]{2,30}\\))?)?";
const DATES = [
  // RFC 5322: "Mon, 23 Nov 2026 12:34:30 +0000", with or without the day name
  new RegExp(`(?:${DAY},?\\s+)?\\d{1,2}[\\s-]+${MONTH}[\\s-]+\\d{2,4},?\\s+${CLOCK}${ZONE}`, "g"),
  // ctime: "Mon Nov 23 12:34:30 2026"
  new RegExp(`(?:${DAY},?\\s+)?${MONTH}\\s+\\d{1,2},?\\s+(?:\\d{4}\\s+)?${CLOCK}(?:\\s+\\d{4})?${ZONE}`, "g"),
  // ISO 8601
  /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g,
];
/** not beside "/" or another dot-number: Sendmail's "8.17.1.9/8.17.1.9" is a version pair */
const IPV4 = /(?<![\w./])(?:\d{1,3}\.){3}\d{1,3}(?![\w./])/g;
const IPV6 = /(?<![\w:])(?:IPv6:)?(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])/gi;
/** a dotted name whose last label is not all digits (so "8.17.1.9" and "5.5.2" stay) */
const HOST = /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]\b\.?/gi;
const LOCAL_NAMES = /\b(?:ip6-)?localhost(?:\.localdomain)?\b/gi;
/** queue ids, UUIDs and other per-connection tokens: long runs mixing digits and letters */
const SESSION_ID =
  /\b(?=[0-9A-Za-z-]*\d)(?=[0-9A-Za-z-]*[A-Za-z])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-F]{6,}|[0-9a-f]{10,}|[0-9A-Za-z]{16,})\b/g;

/**
 * Host names, addresses, dates and session ids replaced by `<host>`, `<ip>`, `<date>`, `<id>`.
 * Line by line, a reply code kept apart: "220-foo.example" is code 220 and a host, not the host
 * "220-foo.example".
 */
export function mask(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const code = /^\d{3}(?:[- ]|$)/.exec(line)?.[0] ?? "";
      return code + maskText(line.slice(code.length));
    })
    .join("\n");
}

function maskText(text: string): string {
  let out = text;
  for (const date of DATES) out = out.replace(date, "<date>");
  out = out
    .replace(IPV4, "<ip>")
    .replace(IPV6, (m) => (m.replace(/[^:]/g, "").length >= 2 && /[0-9a-f]/i.test(m) ? "<ip>" : m));
  out = out.replace(HOST, "<host>").replace(LOCAL_NAMES, "<host>");
  return out.replace(SESSION_ID, "<id>");
}

/** A reply as `code text` lines joined with "\n" (a bare code stays bare). */
export function replyText(reply: Reply): string {
  return reply.lines.map((line) => (line === "" ? String(reply.code) : `${reply.code} ${line}`)).join("\n");
}

export function extractFeatures(record: FeatureSource): Features {
  const features: Features = new Map();
  const set = (name: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined) features.set(name, value);
  };
  const smtp = record.smtp;
  if (smtp) {
    set("banner.raw", smtp.banner);
    set("banner", smtp.banner === null ? null : mask(smtp.banner));
    if (smtp.ehlo) {
      set("ehlo.first", mask(smtp.ehlo[0] ?? ""));
      // unmasked: a hosted service's own host name ("mx.google.com at your service") is evidence
      set("ehlo.first.raw", smtp.ehlo[0] ?? "");
      const rest = smtp.ehlo.slice(1);
      set("ehlo.keywords", rest.map((l) => (l.split(/[\s=]/, 1)[0] ?? "").toUpperCase()).join(" "));
      set("ehlo.lines", rest.join("\n"));
    }
    if (smtp.help) set("help", replyText(smtp.help));
    if (smtp.starttls) set("starttls", replyText(smtp.starttls));
    if (smtp.quit) set("quit", replyText(smtp.quit));
    for (const probe of smtp.probes) {
      const sent = probe.steps.slice(1);
      sent.forEach((step, i) => {
        if (step.reply) set(`probe.${probe.name}.${i + 1}`, replyText(step.reply));
      });
      const last = [...sent].reverse().find((s) => s.reply);
      if (last?.reply) set(`probe.${probe.name}`, replyText(last.reply));
      set(`probe.${probe.name}.ended`, probe.ended === "failure" ? `failure:${probe.status}` : probe.ended);
    }
  }
  const leaf = record.tls?.chain[0];
  if (leaf) {
    set("cert.subject", leaf.subject);
    set("cert.issuer", leaf.issuer);
  }
  set("ssh.banner", record.ssh?.banner);
  set("imap.greeting", record.imap?.greeting);
  set("pop3.greeting", record.pop3?.greeting);
  set("http.server", record.http?.server);
  const hint = greetingHint(features);
  // "" when there is a greeting without a product word: the feature exists, the word does not
  if (hint !== undefined) features.set("hint", hint ?? "");
  return features;
}

/** The product word of whichever greeting the record has (hint.ts); undefined without one. */
function greetingHint(features: Features): string | null | undefined {
  const banner = features.get("banner");
  if (banner !== undefined) return hintOf(banner.split("\n")[0] ?? "");
  const ssh = features.get("ssh.banner");
  if (ssh !== undefined) return sshHintOf(ssh);
  for (const name of ["imap.greeting", "pop3.greeting"]) {
    const greeting = features.get(name);
    if (greeting !== undefined) return mailboxHintOf(mask(greeting));
  }
  const server = features.get("http.server");
  if (server !== undefined) return /^([A-Za-z][\w.-]*?)(?:[/ ]|$)/.exec(server)?.[1] ?? null;
  return undefined;
}

/** The features with the greeting hidden: what a banner-stripped server would leave. */
export function withoutBanner(features: Features): Features {
  const out = new Map(features);
  for (const name of [
    "banner",
    "banner.raw",
    "ssh.banner",
    "imap.greeting",
    "pop3.greeting",
    "http.server",
    "hint",
  ])
    out.delete(name);
  return out;
}
