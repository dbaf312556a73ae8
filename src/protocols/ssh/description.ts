/** What an SSH record gives identification and the tables: the identification string. */
import { sshHintOf } from "../../core/hint.js";
import type { ProtocolDescription } from "../types.js";

export const sshDescription: ProtocolDescription = {
  part: "ssh",
  productKind: "ssh-server",
  features: (record, set) => set("ssh.banner", record.ssh?.banner),
  greetingFeatures: ["ssh.banner"],
  hintFeature: "ssh.banner",
  hint: (f) => {
    const banner = f.get("ssh.banner");
    return banner === undefined ? undefined : sshHintOf(banner);
  },
  columns: [{ name: "ssh_banner", type: "TEXT", value: (record) => record.ssh?.banner ?? null }],
  examplePart: (example) => ({ banner: example.banner, kex: null, host_keys: [], errors: [] }),
  selfDescription: (record) => {
    if (!record.ssh?.banner) return null;
    const keys = record.ssh.host_keys.length;
    return `${record.ssh.banner} (${keys} host key${keys === 1 ? "" : "s"})`;
  },
  colour: "#009E73",
  pairColours: { smtp: "#000000" },
  tables: [
    {
      name: "ssh_host_keys",
      columns: [
        ["type", "TEXT NOT NULL"],
        ["algorithm", "TEXT NOT NULL"],
        ["bits", "INTEGER"],
        ["fingerprint_sha256", "TEXT NOT NULL"],
        ["spki_sha256", "TEXT"],
      ],
      indexed: ["spki_sha256"],
      rows: (record) =>
        (record.ssh?.host_keys ?? []).map((k) => [
          k.type,
          k.algorithm,
          k.bits,
          k.fingerprint_sha256,
          k.spki_sha256,
        ]),
    },
  ],
};
