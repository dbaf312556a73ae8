/**
 * zcrypto's TLS log, as zgrab2 writes it (`tls.handshake_log`) and as records.fresh keeps it
 * (the handshake log itself, after FreshGrab's shim), into the record's `tls` part. Certificates
 * are read from their raw DER, so every field, the SPKI identity included, is computed exactly as
 * for a certificate smtpsurvey fetched itself; the tool's parsed copy is not needed.
 */
import { z } from "zod";
import type { Certificate, TlsRecord } from "../protocols/record.js";
import { describeCertificate } from "../protocols/tls/certificate.js";
import { matchNames } from "../protocols/tls/names.js";
import { base64Field, ForeignFieldError, readAs } from "./foreign-json.js";

const Named = z.object({ name: z.string().nullish() }).nullish();
/** zcrypto's parsed certificate: what a certificate kept without its DER (censys) still says */
const Parsed = z.object({
  fingerprint_sha256: z.string().nullish(),
  subject_dn: z.string().nullish(),
  issuer_dn: z.string().nullish(),
  serial_number: z.string().nullish(),
  validity: z.object({ start: z.string().nullish(), end: z.string().nullish() }).nullish(),
  subject_key_info: z
    .object({
      key_algorithm: z.object({ name: z.string().nullish() }).nullish(),
      rsa_public_key: z.object({ length: z.number().nullish() }).nullish(),
      ecdsa_public_key: z.object({ length: z.number().nullish(), curve: z.string().nullish() }).nullish(),
      fingerprint_sha256: z.string().nullish(),
    })
    .nullish(),
  extensions: z
    .object({ subject_alt_name: z.object({ dns_names: z.array(z.string()).nullish() }).nullish() })
    .nullish(),
  signature: z.object({ self_signed: z.boolean().nullish() }).nullish(),
});
const RawCertificate = z.object({ raw: z.string().nullish(), parsed: Parsed.nullish() }).nullish();

const HandshakeLog = z.object({
  /** smtpsurvey's records.fresh export keeps the handshake's failure here */
  smtpsurvey_error: z.string().nullish(),
  server_hello: z
    .object({
      version: Named,
      cipher_suite: Named,
      /** TLS 1.3: `version` is the legacy 1.2 and the real one is here (zcrypto) */
      supported_versions: z.object({ selected_version: Named }).nullish(),
    })
    .nullish(),
  server_certificates: z
    .object({ certificate: RawCertificate, chain: z.array(RawCertificate).nullish() })
    .nullish(),
});

/** `tls` of a zgrab2 result: the log under handshake_log (records.fresh keeps the log itself). */
const WrappedLog = z.object({
  handshake_log: HandshakeLog,
  handshake_completed_successfully: z.boolean().nullish(),
});

export interface TlsLogContext {
  implicit: boolean;
  /** what the tool said went wrong, if anything (zgrab2's `error` for a handshake-error) */
  error: string | null;
  /** the name the server gave itself in its greeting, for `tls.names` */
  serverName: string | null;
}

/** The `tls` part, or null when the log holds neither a hello nor a certificate. */
export function tlsFromLog(value: unknown, at: string, context: TlsLogContext): TlsRecord | null {
  if (value === null || value === undefined) return null;
  const wrapped = typeof value === "object" && "handshake_log" in value;
  const outer = wrapped ? readAs(WrappedLog, value, at) : null;
  const handshake = outer ? outer.handshake_log : readAs(HandshakeLog, value, at);
  const logAt = wrapped ? `${at}.handshake_log` : at;
  const hello = handshake.server_hello;
  const certificates = handshake.server_certificates;
  const chain = chainOf(certificates, `${logAt}.server_certificates`);
  let error = context.error ?? handshake.smtpsurvey_error ?? null;
  if (!error && outer?.handshake_completed_successfully === false) error = "the handshake did not complete";
  if (!error && chain.length === 0 && certificates?.certificate && !certificates.certificate.raw)
    error = "the tool kept the certificate without its DER or its key's fingerprint";
  if (!hello && chain.length === 0 && !error) return null;
  const leaf = chain[0];
  return {
    implicit: context.implicit,
    version: hello?.supported_versions?.selected_version?.name ?? hello?.version?.name ?? null,
    cipher: hello?.cipher_suite?.name ?? null,
    chain,
    error,
    names: leaf ? matchNames(leaf, null, context.serverName) : null,
  };
}

/** The leaf, then the chain as sent (zcrypto's `chain` does not repeat the leaf; if it does, once). */
function chainOf(
  certificates: z.output<typeof HandshakeLog>["server_certificates"],
  at: string,
): Certificate[] {
  if (!certificates) return [];
  const entries: Array<{ entry: NonNullable<z.output<typeof RawCertificate>>; field: string }> = [];
  if (certificates.certificate) entries.push({ entry: certificates.certificate, field: `${at}.certificate` });
  (certificates.chain ?? []).forEach((entry, i) => {
    if (entry) entries.push({ entry, field: `${at}.chain.${i}` });
  });
  const seen = new Set<string>();
  const chain: Certificate[] = [];
  for (const { entry, field } of entries) {
    const certificate = entry.raw
      ? describeDer(base64Field(entry.raw, `${field}.raw`), `${field}.raw`)
      : entry.parsed
        ? fromParsed(entry.parsed)
        : null;
    // a certificate with neither DER nor key fingerprint has no identity: it is left out
    if (!certificate) continue;
    if (seen.has(certificate.sha256)) continue;
    seen.add(certificate.sha256);
    chain.push(certificate);
  }
  return chain;
}

function describeDer(der: Buffer, field: string): Certificate {
  try {
    return describeCertificate(der);
  } catch (error) {
    throw new ForeignFieldError(field, `not a certificate: ${(error as Error).message}`);
  }
}

/**
 * A certificate kept only parsed (censys's exports): every field from the tool's parse, `der` null.
 * Without the SPKI and certificate fingerprints there is no identity, and no certificate.
 */
function fromParsed(parsed: z.output<typeof Parsed>): Certificate | null {
  const key = parsed.subject_key_info;
  const spki = key?.fingerprint_sha256?.toLowerCase();
  const sha256 = parsed.fingerprint_sha256?.toLowerCase();
  if (!spki || !/^[0-9a-f]{64}$/.test(spki) || !sha256) return null;
  const algorithm = key?.key_algorithm?.name?.toLowerCase() ?? null;
  const curveBits = Number(/(\d{3})$/.exec(key?.ecdsa_public_key?.curve ?? "")?.[1] ?? Number.NaN);
  const serial = parsed.serial_number ?? "";
  return {
    der: null,
    sha256,
    spki_sha256: spki,
    subject: (parsed.subject_dn ?? "").split(/,\s*/).join(", "),
    issuer: (parsed.issuer_dn ?? "").split(/,\s*/).join(", "),
    san: (parsed.extensions?.subject_alt_name?.dns_names ?? []).map((name) => `DNS:${name}`),
    not_before: isoOrEmpty(parsed.validity?.start),
    not_after: isoOrEmpty(parsed.validity?.end),
    // zcrypto writes the serial in decimal; a record keeps it in hex, as node prints it
    serial: /^\d+$/.test(serial) ? BigInt(serial).toString(16) : serial,
    key_type: algorithm === "ecdsa" ? "ec" : algorithm,
    key_bits:
      key?.rsa_public_key?.length ??
      key?.ecdsa_public_key?.length ??
      (Number.isFinite(curveBits) ? curveBits : null),
    self_signed: parsed.signature?.self_signed ?? false,
  };
}

function isoOrEmpty(text: string | null | undefined): string {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "";
}
