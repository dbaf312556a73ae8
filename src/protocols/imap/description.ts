/** What an IMAP record gives identification and the tables: the greeting and CAPABILITY. */
import { mailboxHintOf } from "../../core/hint.js";
import { mask } from "../../core/mask.js";
import type { ProtocolDescription } from "../types.js";

export const imapDescription: ProtocolDescription = {
  part: "imap",
  productKind: "imap-pop3-server",
  features: (record, set) => set("imap.greeting", record.imap?.greeting),
  greetingFeatures: ["imap.greeting"],
  hintFeature: "imap.greeting",
  hint: (f) => {
    const greeting = f.get("imap.greeting");
    return greeting === undefined ? undefined : mailboxHintOf(mask(greeting));
  },
  greeting: (record) => record.imap?.greeting ?? null,
  upgradeOffered: (record) =>
    record.imap?.capabilities?.some((entry) => /^STARTTLS$/i.test(entry.trim())) ?? null,
  examplePart: (example) => ({
    greeting: example.banner,
    capabilities: null,
    starttls: null,
    capabilities_tls: null,
  }),
  selfDescription: (record) => record.imap?.greeting ?? null,
  colour: "#882255",
  pairColours: { smtp: "#CC79A7", ssh: "#117733" },
};
