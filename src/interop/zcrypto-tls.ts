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
const RawCertificate = z.object({ raw: z.string().nullish() }).nullish();

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
    error = "the tool kept the certificate without its DER";
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
  const raws: Array<{ raw: string; field: string }> = [];
  if (certificates.certificate?.raw)
    raws.push({ raw: certificates.certificate.raw, field: `${at}.certificate.raw` });
  (certificates.chain ?? []).forEach((entry, i) => {
    if (entry?.raw) raws.push({ raw: entry.raw, field: `${at}.chain.${i}.raw` });
  });
  const seen = new Set<string>();
  const chain: Certificate[] = [];
  for (const { raw, field } of raws) {
    const der = base64Field(raw, field);
    const certificate = describeDer(der, field);
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
