/** What an FTP record gives identification and the tables: the greeting, FEAT and SYST. */
import { hintOf } from "../../core/hint.js";
import { mask } from "../../core/mask.js";
import type { ProtocolDescription } from "../types.js";
import { offersAuthTls } from "./reply.js";

export const ftpDescription: ProtocolDescription = {
  part: "ftp",
  productKind: "ftp-server",
  features: (record, set) => {
    const ftp = record.ftp;
    if (!ftp) return;
    set("ftp.greeting", ftp.greeting === null ? null : mask(ftp.greeting));
    set("ftp.greeting.raw", ftp.greeting);
    set("ftp.features", ftp.features?.map((line) => (line.split(/\s/, 1)[0] ?? "").toUpperCase()).join(" "));
    set("ftp.feature.lines", ftp.features?.join("\n"));
    set("ftp.syst", ftp.syst);
  },
  greetingFeatures: ["ftp.greeting", "ftp.greeting.raw"],
  hintFeature: "ftp.greeting",
  hint: (f) => {
    const greeting = f.get("ftp.greeting");
    if (greeting === undefined) return undefined;
    const first = greeting.split("\n")[0] ?? "";
    // hintOf drops "3.0.3" as an SMTP enhanced code; FTP has none, so a word before x.y.z counts
    return hintOf(first) ?? /\b([A-Za-z][A-Za-z0-9+-]{2,})[ /_-]v?\d+\.\d+\.\d+/.exec(first)?.[1] ?? null;
  },
  greeting: (record) => record.ftp?.greeting ?? null,
  upgradeOffered: (record) => (record.ftp?.features ? offersAuthTls(record.ftp.features) : null),
  examplePart: (example) => ({
    greeting: example.banner,
    features: null,
    syst: null,
    auth_tls: null,
    features_tls: null,
  }),
  selfDescription: (record) => record.ftp?.greeting?.split("\n")[0] ?? null,
  colour: "#A6761D",
};
