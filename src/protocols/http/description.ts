/** What an HTTP record gives identification and the tables: the Server header. */
import type { ProtocolDescription } from "../types.js";

export const httpDescription: ProtocolDescription = {
  part: "http",
  productKind: "http-server",
  features: (record, set) => set("http.server", record.http?.server),
  greetingFeatures: ["http.server"],
  hintFeature: "http.server",
  hint: (f) => {
    const server = f.get("http.server");
    return server === undefined ? undefined : (/^([A-Za-z][\w.-]*?)(?:[/ ]|$)/.exec(server)?.[1] ?? null);
  },
  columns: [{ name: "http_server", type: "TEXT", value: (record) => record.http?.server ?? null }],
  selfDescription: (record) =>
    record.http ? `${record.http.server ?? ""} ${record.http.status_line ?? ""}`.trim() : null,
  colour: "#E69F00",
  pairColours: { smtp: "#D55E00", imap: "#999933", ssh: "#6F4E37" },
};
