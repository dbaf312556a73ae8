/**
 * The TLS-posture section: of the SMTP endpoints that answered, how many offer STARTTLS, finish a
 * handshake, and present a certificate that is self-signed, expired, weak or names the wrong
 * host, all ports together and then per port; and which versions, ciphers and key kinds were met.
 */
import type { TlsPosture } from "../../analysis/tally-types.js";
import type { Cell, ReportTable } from "../../core/table.js";
import { barChart } from "../chart-specs.js";
import type { ReportChart, ReportSection } from "../report-model.js";
import { countColumn, countTable, textColumn } from "./section-tables.js";

const POSTURE_COLUMNS: Array<[keyof TlsPosture, string]> = [
  ["endpoints", "endpoints"],
  ["starttlsOffered", "STARTTLS offered"],
  ["implicitTls", "implicit TLS"],
  ["handshakes", "handshakes"],
  ["handshakeFailures", "handshake failures"],
  ["withCertificate", "with a certificate"],
  ["selfSigned", "self-signed"],
  ["expired", "expired"],
  ["notYetValid", "not yet valid"],
  ["weakKey", "weak key"],
  ["serverNameMatch", "names the announced host"],
  ["serverNameMismatch", "does not name it"],
  ["ptrMatch", "names the PTR"],
  ["ptrMismatch", "does not name the PTR"],
  ["sharedKey", "key shared"],
];

/** snake_case for CSV headers */
const columnKey = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function tlsSection(postures: TlsPosture[]): ReportSection {
  const all = postures[0];
  const rows = postures.map((p) => {
    const row: Record<string, Cell> = { scope: p.scope === "all" ? "all SMTP ports" : `port ${p.scope}` };
    for (const [key] of POSTURE_COLUMNS) row[columnKey(key)] = p[key] as number;
    return row;
  });
  const tables: ReportTable[] = [
    {
      id: "tls-posture",
      title: "TLS posture of SMTP endpoints that answered",
      columns: [
        textColumn("scope", "ports"),
        ...POSTURE_COLUMNS.map(([key, label]) => countColumn(columnKey(key), label)),
      ],
      rows,
      note:
        "STARTTLS offered: listed in the EHLO reply (implicit-TLS ports counted apart). Expired and not yet valid " +
        "compare the leaf's dates with the time of the grab. Weak: RSA under 2048 bits, any DSA, EC under 224 bits. " +
        "Key shared: the leaf's key is presented by another endpoint too (any port, protocol or address).",
    },
  ];
  const charts: ReportChart[] = [];
  if (all) {
    tables.push(
      countTable("tls-versions", "TLS versions negotiated", "version", all.versions),
      countTable("tls-ciphers", "Most common ciphers", "cipher", all.ciphers),
      countTable("tls-key-kinds", "Leaf key kinds", "key", all.keyKinds),
    );
    const plain = all.endpoints - all.implicitTls;
    const share = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
    charts.push(
      barChart(
        "tls-posture",
        "TLS posture (all SMTP ports)",
        [
          { label: "STARTTLS offered (of plain-text endpoints)", value: share(all.starttlsOffered, plain) },
          { label: "handshake done (of endpoints)", value: share(all.handshakes, all.endpoints) },
          { label: "self-signed (of certificates)", value: share(all.selfSigned, all.withCertificate) },
          { label: "expired (of certificates)", value: share(all.expired, all.withCertificate) },
          { label: "weak key (of certificates)", value: share(all.weakKey, all.withCertificate) },
          {
            label: "names the announced host (of certificates)",
            value: share(all.serverNameMatch, all.withCertificate),
          },
          { label: "key shared (of certificates)", value: share(all.sharedKey, all.withCertificate) },
        ],
        { title: "share", percent: true },
      ),
    );
  }
  return {
    id: "tls",
    title: "TLS posture",
    paragraphs: ["Over SMTP endpoints (smtp and smtps) that answered, all ports together and then per port."],
    charts,
    tables,
  };
}
