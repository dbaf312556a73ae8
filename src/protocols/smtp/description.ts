/**
 * What an SMTP record gives identification and the tables: the greeting (masked and raw), the
 * EHLO reply's first line and keywords, HELP, STARTTLS and QUIT replies, and every probe's
 * replies (docs/rules.md lists the features).
 */
import { hintOf } from "../../core/hint.js";
import { mask } from "../../core/mask.js";
import type { Reply, ScanRecord } from "../record.js";
import type { FeatureSetter, ProtocolDescription, RecordView } from "../types.js";
import { ehloKeywords } from "./reply.js";
import { replyOf } from "./reply-text.js";

/** A reply as `code text` lines joined with "\n" (a bare code stays bare). */
export function replyText(reply: Reply): string {
  return reply.lines.map((line) => (line === "" ? String(reply.code) : `${reply.code} ${line}`)).join("\n");
}

function features(record: RecordView, set: FeatureSetter): void {
  const smtp = record.smtp;
  if (!smtp) return;
  set("banner.raw", smtp.banner);
  set("banner", smtp.banner === null ? null : mask(smtp.banner));
  if (smtp.ehlo) {
    set("ehlo.first", mask(smtp.ehlo[0] ?? ""));
    // unmasked: a hosted service's own host name ("mx.google.com at your service") is evidence
    set("ehlo.first.raw", smtp.ehlo[0] ?? "");
    const rest = smtp.ehlo.slice(1);
    set("ehlo.keywords", ehloKeywords(smtp.ehlo).join(" "));
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

/** The name an SMTP server gave itself in its EHLO reply (or HELO reply): the first word. */
function announcedName(record: ScanRecord): string | null {
  const line = record.smtp?.ehlo?.[0] ?? record.smtp?.helo?.[0];
  const word = line?.trim().split(/\s+/, 1)[0];
  return word ? word : null;
}

export const smtpDescription: ProtocolDescription = {
  part: "smtp",
  features,
  greetingFeatures: ["banner", "banner.raw"],
  hintFeature: "banner",
  hint: (f) => {
    const banner = f.get("banner");
    return banner === undefined ? undefined : hintOf(banner.split("\n")[0] ?? "");
  },
  greeting: (record) => record.smtp?.banner ?? null,
  announcedName,
  upgradeOffered: (record) => record.smtp?.ehlo?.some((entry) => /^STARTTLS\b/i.test(entry.trim())) ?? null,
  examplePart: (example) => ({
    banner: example.banner,
    ehlo: example.ehlo ?? null,
    help: example.help ? replyOf(example.help) : null,
    starttls: example.starttls ? replyOf([example.starttls]) : null,
    quit: example.quit ? replyOf([example.quit]) : null,
  }),
  selfDescription: (record) => record.smtp?.replies.greeting?.lines[0] ?? null,
  colour: "#0072B2",
};
