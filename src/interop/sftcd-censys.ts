/**
 * The censys.io 2017 layout that the key-reuse survey's first runs used (surveys.md §2.1):
 * `p25.smtp.starttls.{banner,ehlo,starttls,tls}`, `p110.pop3.starttls`, `p143.imap.starttls`,
 * `p993.imaps.tls`, `p995.pop3s.tls`, `p443.https.tls`, `p22.ssh.v2`. Each port is rewritten into
 * the zgrab-v1 `data` shape records.fresh has, so one reader serves both; censys's flattened TLS
 * object (`version`, `cipher_suite`, `certificate`, `chain`) becomes a handshake log.
 */

/** `data` key of a port that holds a TLS handshake alone (censys's p443.https.tls) */
export const TLS_ONLY = "tls_only";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** The v1-shaped data of one censys port (`p25` → its `smtp.starttls`), or null when it holds none. */
export function censysPortData(key: string, entry: Json): Json | null {
  for (const [service, inner] of Object.entries(entry)) {
    if (!isObject(inner)) continue;
    if (service === "ssh" && isObject(inner.v2)) return { xssh: inner.v2 };
    if (service === "https" && isObject(inner.tls)) return { [TLS_ONLY]: handshakeOf(inner.tls) };
    // smtp/pop3/imap under `starttls`, implicit TLS (imaps, pop3s, smtps) under `tls`
    const dialogue = isObject(inner.starttls) ? inner.starttls : isObject(inner.tls) ? inner.tls : null;
    if (!dialogue) continue;
    const data: Json = { ...dialogue };
    if (isObject(dialogue.tls)) data.tls = handshakeOf(dialogue.tls);
    else if (!isObject(inner.starttls) && ("certificate" in dialogue || "server_hello" in dialogue)) {
      // p993.imaps.tls holding the handshake itself
      data.tls = handshakeOf(dialogue);
    }
    return data;
  }
  void key;
  return null;
}

/** censys's flattened TLS object → a zcrypto handshake log; a log already in that shape is kept. */
function handshakeOf(tls: Json): Json {
  if ("server_hello" in tls || "server_certificates" in tls) return tls;
  const hello: Json = {};
  if (typeof tls.version === "string") hello.version = { name: tls.version };
  if (isObject(tls.cipher_suite)) hello.cipher_suite = tls.cipher_suite;
  return {
    server_hello: hello,
    server_certificates: { certificate: tls.certificate ?? null, chain: tls.chain ?? [] },
  };
}
