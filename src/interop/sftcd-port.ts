/**
 * One smtpsurvey record → the port object records.fresh holds (surveys.md §2.1): FreshGrab's
 * zgrab-v1 shape after its shim, with the raw replies and the raw DER and key blobs that the old
 * scripts read. Fields the old scripts never had are added under `smtpsurvey_*` names, which they
 * ignore and smtpsurvey's import reads back: every SSH host key (FreshGrab kept one), the
 * record's status and error (the shim keeps none).
 */
import { createHash } from "node:crypto";
import { SshReader } from "../protocols/keys/ssh-wire.js";
import type { Certificate, ScanRecord, SshHostKey, TlsRecord } from "../protocols/record.js";
import { protocolFamily } from "../protocols/registry.js";
import { browserTrusted } from "./chain-trust.js";
import { cipherCode } from "./cipher-codes.js";

type Json = Record<string, unknown>;

/** FreshGrab asks for host keys in this order and records the first the server has. */
const FRESHGRAB_KEY_ORDER = [
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
  "ssh-dss",
  "ssh-ed25519",
];

export function sftcdPort(record: ScanRecord): Json {
  // whatever the status: a failed implicit-TLS handshake still showed its certificate
  const data = dataOf(record);
  return {
    ip: record.ip,
    data,
    smtpsurvey_status: record.status,
    ...(record.error ? { smtpsurvey_error: record.error } : {}),
  };
}

function dataOf(record: ScanRecord): Json {
  switch (protocolFamily(record.protocol)) {
    case "ssh":
      return record.ssh ? { xssh: xssh(record.ssh) } : {};
    case "smtp":
      return smtpData(record);
    case "imap":
      return mailData(record.imap?.greeting ?? null, record.imap?.starttls ?? null, record);
    case "pop3":
      return mailData(record.pop3?.greeting ?? null, record.pop3?.stls ?? null, record);
    case "http":
      return httpData(record);
    default:
      return record.tls ? { tls: handshakeLog(record.tls, record.started_at) } : {};
  }
}

function smtpData(record: ScanRecord): Json {
  const smtp = record.smtp;
  const data: Json = {};
  if (!smtp) return record.tls ? { tls: handshakeLog(record.tls, record.started_at) } : {};
  const raw = (reply: { raw: string } | null | undefined) => reply?.raw ?? null;
  if (smtp.replies.greeting) data.banner = smtp.replies.greeting.raw;
  else if (smtp.banner !== null) data.banner = `${smtp.banner.split("\n").join("\r\n")}\r\n`;
  if (smtp.replies.ehlo) data.ehlo = raw(smtp.replies.ehlo);
  if (smtp.replies.helo) data.helo = raw(smtp.replies.helo);
  if (smtp.help) data.help = smtp.help.raw;
  if (smtp.starttls) data.starttls = smtp.starttls.raw;
  if (smtp.quit) data.quit = smtp.quit.raw;
  if (record.tls?.implicit) data.implicit_tls = true;
  if (record.tls) data.tls = handshakeLog(record.tls, record.started_at);
  return data;
}

function mailData(greeting: string | null, starttls: string | null, record: ScanRecord): Json {
  const data: Json = {};
  if (greeting !== null) data.banner = `${greeting}\r\n`;
  if (starttls !== null) data.starttls = `${starttls}\r\n`;
  if (record.tls) data.tls = handshakeLog(record.tls, record.started_at);
  return data;
}

function httpData(record: ScanRecord): Json {
  const http = record.http;
  if (!http && !record.tls) return {};
  const headers: Record<string, string[]> = {};
  for (const [name, value] of http?.headers ?? []) {
    const key = name.toLowerCase().replaceAll("-", "_");
    headers[key] = [...(headers[key] ?? []), value];
  }
  const request: Json = { method: "HEAD" };
  if (record.tls) request.tls_handshake = handshakeLog(record.tls, record.started_at);
  const response: Json = { request };
  if (http) Object.assign(response, { status_line: http.status_line, status_code: http.status, headers });
  return { http: { response } };
}

/** zcrypto's handshake log, as far as a record knows it (no cipher code, no browser validation). */
function handshakeLog(tls: TlsRecord, at: string | null): Json {
  const [leaf, ...rest] = tls.chain;
  const code = cipherCode(tls.cipher);
  const log: Json = {
    server_hello: {
      ...(tls.version ? { version: { name: tls.version } } : {}),
      ...(tls.cipher
        ? { cipher_suite: { name: tls.cipher, ...(code !== null ? { value: code } : {}) } }
        : {}),
    },
  };
  if (leaf) {
    const trusted = browserTrusted(tls.chain, at);
    log.server_certificates = {
      certificate: certificate(leaf),
      chain: rest.map(certificate),
      ...(trusted !== null ? { validation: { browser_trusted: trusted } } : {}),
    };
  }
  if (tls.error) log.smtpsurvey_error = tls.error;
  return log;
}

function certificate(cert: Certificate): Json {
  const keyInfo: Json = { fingerprint_sha256: cert.spki_sha256 };
  if (cert.key_type === "rsa")
    Object.assign(keyInfo, { key_algorithm: { name: "RSA" }, rsa_public_key: { length: cert.key_bits } });
  else if (cert.key_type === "ec")
    Object.assign(keyInfo, {
      key_algorithm: { name: "ECDSA" },
      ecdsa_public_key: { curve: cert.key_bits ? `P-${cert.key_bits}` : null },
    });
  else if (cert.key_type) keyInfo.key_algorithm = { name: cert.key_type.toUpperCase() };
  return {
    ...(cert.der ? { raw: cert.der } : {}),
    parsed: {
      fingerprint_sha256: cert.sha256,
      subject_dn: cert.subject,
      issuer_dn: cert.issuer,
      serial_number: cert.serial,
      validity: { start: cert.not_before, end: cert.not_after },
      signature: { self_signed: cert.self_signed },
      subject_key_info: keyInfo,
      extensions: {
        subject_alt_name: { dns_names: cert.san.filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4)) },
      },
    },
  };
}

function xssh(ssh: NonNullable<ScanRecord["ssh"]>): Json {
  const log: Json = {};
  if (ssh.banner) {
    const [, version = null, software = null, comment = null] =
      /^SSH-([^-]+)-(\S+)(?: (.*))?$/.exec(ssh.banner) ?? [];
    log.server_id = { raw: ssh.banner, version, software, ...(comment ? { comment } : {}) };
  }
  if (ssh.kex)
    log.server_key_exchange = {
      kex_algorithms: ssh.kex.kex,
      host_key_algorithms: ssh.kex.host_key,
      client_to_server_ciphers: ssh.kex.ciphers_c2s,
      server_to_client_ciphers: ssh.kex.ciphers_s2c,
      client_to_server_macs: ssh.kex.macs_c2s,
      server_to_client_macs: ssh.kex.macs_s2c,
      client_to_server_compression: ssh.kex.compression_c2s,
      server_to_client_compression: ssh.kex.compression_s2c,
    };
  const primary = primaryKey(ssh.host_keys);
  if (primary) {
    log.algorithm_selection = { host_key_algorithm: primary.type };
    log.key_exchange = { server_host_key: hostKey(primary) };
  }
  if (ssh.host_keys.length > 1) log.smtpsurvey_host_keys = ssh.host_keys.map(hostKey);
  return log;
}

/** The key FreshGrab's zgrab2 would have recorded: the first of its order that the server has. */
export function primaryKey(keys: readonly SshHostKey[]): SshHostKey | undefined {
  for (const type of FRESHGRAB_KEY_ORDER) {
    const key = keys.find((k) => k.type === type);
    if (key) return key;
  }
  return keys[0];
}

/**
 * zgrab2's server_host_key: `algorithm` is the key's type as its blob names it, `fingerprint_sha256`
 * the lowercase hex SHA-256 of the blob, an RSA key's numbers under `rsa_public_key` (SameKeys
 * reads its `length`).
 */
function hostKey(key: SshHostKey): Json {
  const blob = Buffer.from(key.blob, "base64");
  const out: Json = {
    raw: key.blob,
    algorithm: key.type,
    fingerprint_sha256: createHash("sha256").update(blob).digest("hex"),
    smtpsurvey_spki_sha256: key.spki_sha256,
    // the host-key algorithm smtpsurvey negotiated to fetch it (rsa-sha2-512, say)
    smtpsurvey_algorithm: key.algorithm,
  };
  if (key.type === "ssh-rsa") {
    const reader = new SshReader(blob);
    reader.text();
    const exponent = reader.unsignedMpint();
    const modulus = reader.unsignedMpint();
    out.rsa_public_key = {
      exponent: Number.parseInt(exponent.toString("hex") || "0", 16),
      modulus: modulus.toString("base64"),
      length: key.bits,
    };
  }
  return out;
}

/**
 * SameKeys's `analysis` of one port (surveys.md §2.2), which the old scripts read from every
 * collisions.json entry: an SSH key's `rsalen` or `alg`; a TLS port's cipher code, trust,
 * self-signed flag, key size or curve, and `timely` (valid at the record's time). What a record
 * cannot tell is left out.
 */
export function portAnalysis(record: ScanRecord): Json | null {
  const key = primaryKey(record.ssh?.host_keys ?? []);
  if (key) return key.type === "ssh-rsa" ? { rsalen: key.bits } : { alg: key.type };
  const tls = record.tls;
  const leaf = tls?.chain[0];
  if (!tls || !leaf) return null;
  const analysis: Json = { self_signed: leaf.self_signed };
  const code = cipherCode(tls.cipher);
  if (code !== null) analysis.cipher_suite = code;
  const trusted = browserTrusted(tls.chain, record.started_at);
  if (trusted !== null) analysis.browser_trusted = trusted;
  if (leaf.key_type === "rsa") analysis.rsalen = leaf.key_bits;
  else if (leaf.key_type === "ec") analysis.ecdsacurve = leaf.key_bits ? `P-${leaf.key_bits}` : null;
  else analysis.spkialg = leaf.key_type;
  if (record.started_at)
    analysis.timely = leaf.not_before <= record.started_at && record.started_at < leaf.not_after;
  return analysis;
}

/** The names SameKeys's `analysis.nameset` starts from, without its DNS checks: greeting host, CN, SANs. */
export function nameset(records: readonly ScanRecord[]): Json {
  const names: Json = {};
  const greeting = records.find((r) => r.port === 25)?.smtp?.replies.greeting?.lines[0];
  const host = greeting?.trim().split(/\s+/, 1)[0];
  if (host) names.banner = host;
  for (const record of records) {
    const leaf = record.tls?.chain[0];
    if (!leaf) continue;
    const cn = /(?:^|, )CN=([^,]+)/.exec(leaf.subject)?.[1];
    if (cn) names[`p${record.port}dn`] = cn;
    leaf.san
      .filter((n) => n.startsWith("DNS:"))
      .slice(0, 100)
      .forEach((n, i) => {
        names[`p${record.port}san${i}`] = n.slice(4);
      });
  }
  return names;
}
