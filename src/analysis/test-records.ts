/**
 * Records for tests, written in a line: the parts a tally reads, everything else empty. Used by
 * the analysis tests only (it is not a fixture format).
 */
import type { Status } from "../core/status.js";
import {
  blankRecord,
  type Certificate,
  emptySmtpRecord,
  type ScanRecord,
  type Software,
} from "../store/schema.js";
import { isSmtpProtocol } from "./record-facts.js";

export interface RecordSketch {
  ip: string;
  port?: number;
  /** default: smtps on 465, ssh on 22, smtp otherwise */
  protocol?: string;
  status?: Status;
  error?: string;
  started_at?: string;
  /** the EHLO reply's lines: the host name first, then keywords ("STARTTLS", …) */
  ehlo?: string[];
  /** a product name (vendor and kind derived from it) or a whole software answer */
  software?: string | Partial<Software>;
  /** the leaf certificate: its spki_sha256 as a letter repeated, or fields to override */
  leaf?: string | Partial<Certificate>;
  tlsVersion?: string | null;
  tlsError?: string;
  serverNameMatch?: boolean | null;
  /** SSH host keys by spki_sha256 (or a letter repeated) */
  sshKeys?: string[];
}

/** a 64-hex-digit key identity from a short tag ("a" → "aaaa…") */
export function spki(tag: string): string {
  if (/^[0-9a-f]{64}$/.test(tag)) return tag;
  const hex = [...tag].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  return hex.repeat(Math.ceil(64 / hex.length)).slice(0, 64);
}

export function makeRecord(sketch: RecordSketch): ScanRecord {
  const port = sketch.port ?? 25;
  const protocol = sketch.protocol ?? (port === 465 ? "smtps" : port === 22 ? "ssh" : "smtp");
  const status = sketch.status ?? "ok";
  const started = sketch.started_at ?? "2026-06-01T12:00:00.000Z";
  const smtpLike = isSmtpProtocol(protocol);
  const record = blankRecord({
    ip: sketch.ip,
    port,
    protocol,
    status,
    error: sketch.error ?? null,
    started_at: started,
    duration_ms: 50,
  });
  if (smtpLike && status === "ok") record.smtp = { ...emptySmtpRecord(), ehlo: sketch.ehlo ?? null };
  if (sketch.software !== undefined) {
    const given = typeof sketch.software === "string" ? { product: sketch.software } : sketch.software;
    const product = given.product ?? "unknown";
    record.software = {
      product,
      vendor: product === "unknown" ? null : `${product}-vendor`,
      kind: product === "unknown" ? null : "open-source-mta",
      version: null,
      version_range: null,
      os: null,
      hint: null,
      confidence: 0.9,
      alternatives: [],
      evidence: [],
      ...given,
    };
  }
  if (sketch.leaf !== undefined || sketch.tlsVersion !== undefined || sketch.tlsError !== undefined) {
    const leafFields = typeof sketch.leaf === "string" ? { spki_sha256: spki(sketch.leaf) } : sketch.leaf;
    const leaf: Certificate | null = leafFields
      ? {
          der: "",
          sha256: spki(`cert-${leafFields.spki_sha256 ?? "x"}`),
          spki_sha256: spki("x"),
          subject: "CN=mx.example.test",
          issuer: "CN=Example CA",
          san: ["DNS:mx.example.test"],
          not_before: "2026-01-01T00:00:00.000Z",
          not_after: "2027-01-01T00:00:00.000Z",
          serial: "01",
          key_type: "ec",
          key_bits: 256,
          self_signed: false,
          ...leafFields,
        }
      : null;
    const serverName = sketch.ehlo?.[0] ?? null;
    record.tls = {
      implicit: protocol === "smtps",
      version: sketch.tlsVersion === undefined ? "TLSv1.3" : sketch.tlsVersion,
      cipher: sketch.tlsVersion === null ? null : "TLS_AES_256_GCM_SHA384",
      chain: leaf ? [leaf] : [],
      error: sketch.tlsError ?? null,
      names: leaf
        ? {
            ptr: null,
            ptr_match: null,
            server_name: serverName,
            server_name_match: serverName === null ? null : (sketch.serverNameMatch ?? true),
          }
        : null,
    };
  }
  if (sketch.sshKeys) {
    record.ssh = {
      banner: "SSH-2.0-OpenSSH_9.2p1",
      kex: null,
      errors: [],
      host_keys: sketch.sshKeys.map((tag) => ({
        type: "ssh-ed25519",
        algorithm: "ssh-ed25519",
        bits: 256,
        fingerprint_sha256: "SHA256:x",
        spki_sha256: spki(tag),
        blob: "",
      })),
    };
  }
  return record;
}
