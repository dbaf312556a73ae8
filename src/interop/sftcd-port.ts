/**
 * One smtpsurvey record → the port object records.fresh holds (surveys.md §2.1): FreshGrab's
 * zgrab-v1 shape after its shim, with the raw replies and the raw DER and key blobs that the old
 * scripts read. Fields the old scripts never had are added under `smtpsurvey_*` names, which they
 * ignore and smtpsurvey's import reads back: every SSH host key (FreshGrab kept one), the
 * record's status and error (the shim keeps none).
 */
import { createHash } from "node:crypto";
import type { Certificate, ScanRecord, SshHostKey, TlsRecord } from "../protocols/record.js";
import { protocolFamily } from "../protocols/registry.js";

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
      return mailData(record.imap?.greeting ?? null, record.imap?.starttls ?? null, record.tls);
    case "pop3":
      return mailData(record.pop3?.greeting ?? null, record.pop3?.stls ?? null, record.tls);
    case "http":
      return httpData(record);
    default:
      return record.tls ? { tls: handshakeLog(record.tls) } : {};
  }
}

function smtpData(record: ScanRecord): Json {
  const smtp = record.smtp;
  const data: Json = {};
  if (!smtp) return record.tls ? { tls: handshakeLog(record.tls) } : {};
  const raw = (reply: { raw: string } | null | undefined) => reply?.raw ?? null;
  if (smtp.replies.greeting) data.banner = smtp.replies.greeting.raw;
  else if (smtp.banner !== null) data.banner = `${smtp.banner.split("\n").join("\r\n")}\r\n`;
  if (smtp.replies.ehlo) data.ehlo = raw(smtp.replies.ehlo);
  if (smtp.replies.helo) data.helo = raw(smtp.replies.helo);
  if (smtp.help) data.help = smtp.help.raw;
  if (smtp.starttls) data.starttls = smtp.starttls.raw;
  if (smtp.quit) data.quit = smtp.quit.raw;
  if (record.tls?.implicit) data.implicit_tls = true;
  if (record.tls) data.tls = handshakeLog(record.tls);
  return data;
}

function mailData(greeting: string | null, starttls: string | null, tls: TlsRecord | null): Json {
  const data: Json = {};
  if (greeting !== null) data.banner = `${greeting}\r\n`;
  if (starttls !== null) data.starttls = `${starttls}\r\n`;
  if (tls) data.tls = handshakeLog(tls);
  return data;
}

function httpData(record: ScanRecord): Json {
  const http = record.http;
  const headers: Record<string, string[]> = {};
  for (const [name, value] of http?.headers ?? []) {
    const key = name.toLowerCase().replaceAll("-", "_");
    headers[key] = [...(headers[key] ?? []), value];
  }
  const request: Json = { method: "HEAD" };
  if (record.tls) request.tls_handshake = handshakeLog(record.tls);
  const response: Json = { request };
  if (http) Object.assign(response, { status_line: http.status_line, status_code: http.status, headers });
  return { http: { response } };
}

/** zcrypto's handshake log, as far as a record knows it (no cipher code, no browser validation). */
function handshakeLog(tls: TlsRecord): Json {
  const [leaf, ...rest] = tls.chain;
  const log: Json = {
    server_hello: {
      ...(tls.version ? { version: { name: tls.version } } : {}),
      ...(tls.cipher ? { cipher_suite: { name: tls.cipher } } : {}),
    },
  };
  if (leaf) log.server_certificates = { certificate: certificate(leaf), chain: rest.map(certificate) };
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
    log.algorithm_selection = { host_key_algorithm: primary.algorithm };
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

/** zgrab2's server_host_key: `fingerprint_sha256` is the lowercase hex SHA-256 of the blob */
function hostKey(key: SshHostKey): Json {
  const blob = Buffer.from(key.blob, "base64");
  return {
    raw: key.blob,
    algorithm: key.algorithm,
    fingerprint_sha256: createHash("sha256").update(blob).digest("hex"),
    smtpsurvey_spki_sha256: key.spki_sha256,
  };
}
