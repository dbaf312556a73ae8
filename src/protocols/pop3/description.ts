/** What a POP3 record gives identification and the tables: the greeting and CAPA. */
import { mailboxHintOf } from "../../core/hint.js";
import { mask } from "../../core/mask.js";
import type { ProtocolDescription } from "../types.js";

export const pop3Description: ProtocolDescription = {
  part: "pop3",
  productKind: "imap-pop3-server",
  features: (record, set) => set("pop3.greeting", record.pop3?.greeting),
  greetingFeatures: ["pop3.greeting"],
  hintFeature: "pop3.greeting",
  hint: (f) => {
    const greeting = f.get("pop3.greeting");
    return greeting === undefined ? undefined : mailboxHintOf(mask(greeting));
  },
  greeting: (record) => record.pop3?.greeting ?? null,
  upgradeOffered: (record) =>
    record.pop3?.capabilities?.some((entry) => /^STLS\b/i.test(entry.trim())) ?? null,
  examplePart: (example) => ({
    greeting: example.banner,
    capabilities: null,
    stls: null,
    capabilities_tls: null,
  }),
  selfDescription: (record) => record.pop3?.greeting ?? null,
  colour: "#332288",
  pairColours: { smtp: "#56B4E9", imap: "#AA4499" },
};
