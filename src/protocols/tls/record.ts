/** The `tls` part of a record from one handshake. */
import type { TlsRecord } from "../record.js";
import type { TlsHandshake } from "../types.js";
import { describeCertificate } from "./certificate.js";

export function tlsRecord(handshake: TlsHandshake, implicit: boolean): TlsRecord {
  const chain = [];
  let error = handshake.error;
  for (const der of handshake.chainDer) {
    try {
      chain.push(describeCertificate(der));
    } catch (failure) {
      error ??= `unparseable certificate: ${(failure as Error).message}`;
    }
  }
  return { implicit, version: handshake.version, cipher: handshake.cipher, chain, error, names: null };
}
