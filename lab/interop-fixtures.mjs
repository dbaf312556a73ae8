#!/usr/bin/env node
/**
 * Writes the interop test fixtures: zgrab2 output (test/fixtures/interop/zgrab2/) and sftcd/surveys
 * records (test/fixtures/interop/sftcd/), built from the smtpsurvey records the lab captured from
 * real servers (test/fixtures/lab/*.json, test/fixtures/lab/ssh/*.json).
 *
 * Schema-written, not tool-written: zgrab2 cannot be built here, so every line is assembled from the
 * lab record's captured bytes (banners, replies, certificate DER, SSH key blobs, KEXINIT lists) in the
 * shape zgrab2's and FreshGrab.py's source code give their output. Everything that is computed (parsed
 * certificate fields, fingerprints, HASSH, algorithm selection, error strings) is computed here from
 * those bytes or from the tools' source; the few values the lab did not capture are listed in
 * DERIVED below and in the two README.md files.
 *
 * Run: node lab/interop-fixtures.mjs   (no arguments; overwrites the fixture files)
 */
import { createECDH, createHash, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const LAB = join(ROOT, "test/fixtures/lab");
const OUT_ZGRAB2 = join(ROOT, "test/fixtures/interop/zgrab2");
const OUT_SFTCD = join(ROOT, "test/fixtures/interop/sftcd");

/** the scanner's own address as the lab's servers saw it (their EHLO replies say [127.0.0.1]) */
const SCANNER_IP = "127.0.0.1";
/** the EHLO/HELO name the lab sent, given to zgrab2 with --ehlo-domain/--helo-domain (zgrab2 #753) */
const EHLO_NAME = "scanner.smtpsurvey.test";
/** an address with no lab server: the synthetic failure host (see README) */
const SYNTHETIC_IP = "127.77.9.1";

// ---------------------------------------------------------------------------------------------------
// Values the lab did not capture, each taken from the server's published source (see the READMEs).

const DERIVED = {
  /** Python 3.11 Lib/smtpd.py smtp_HELO: push('250 %s' % self.fqdn); fqdn = first EHLO line */
  "python-smtpd-25:helo": (rec) => `250 ${rec.smtp.ehlo[0]}\r\n`,
  /** Python 3.11 Lib/smtpd.py found_terminator: unknown verb -> 500 Error: command "X" not recognized */
  "python-smtpd-25:starttls": () => '500 Error: command "STARTTLS" not recognized\r\n',
  /** Twisted twisted/mail/smtp.py ESMTP.ext_STARTTLS without a TLS context: sendCode(454, ...) */
  "twisted-mail-25:starttls": () => "454 TLS not available\r\n",
  /** Dovecot src/submission-login cmd_helo_reply: the EHLO reply's first line alone for HELO */
  "dovecot-465:helo": (rec) => `250 ${rec.smtp.ehlo[0]}\r\n`,
  "dovecot-587:helo": (rec) => `250 ${rec.smtp.ehlo[0]}\r\n`,
};

// ---------------------------------------------------------------------------------------------------
// Reading the lab records

const recordCache = new Map();
/** a lab record by file stem: "postfix-25", "ssh/openssh-22" */
function lab(stem) {
  let rec = recordCache.get(stem);
  if (!rec) {
    rec = JSON.parse(readFileSync(join(LAB, `${stem}.json`), "utf8"));
    if (rec.status !== "ok") throw new Error(`${stem}: status ${rec.status}`);
    recordCache.set(stem, rec);
  }
  return rec;
}

const sha256 = (b) => createHash("sha256").update(b).digest("hex");
const sha1 = (b) => createHash("sha1").update(b).digest("hex");
const md5 = (b) => createHash("md5").update(b).digest("hex");
const b64 = (b) => Buffer.from(b).toString("base64");
/** Go's big.Int.Bytes(): big-endian without leading zero bytes */
function stripZeros(buf) {
  let i = 0;
  while (i < buf.length - 1 && buf[i] === 0) i++;
  return buf.subarray(i);
}

// ---------------------------------------------------------------------------------------------------
// A minimal DER reader (enough for the lab's certificates; anything unexpected throws)

function tlv(buf, off = 0) {
  const tag = buf[off];
  let len = buf[off + 1];
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i];
    hdr = 2 + n;
  }
  const end = off + hdr + len;
  if (end > buf.length) throw new Error("DER: truncated");
  return { buf, tag, off, end, content: buf.subarray(off + hdr, end), raw: buf.subarray(off, end) };
}

function kids(t) {
  const out = [];
  let o = 0;
  while (o < t.content.length) {
    const c = tlv(t.content, o);
    out.push(c);
    o = c.end;
  }
  return out;
}

function oid(t) {
  if (t.tag !== 0x06) throw new Error("DER: expected OID");
  const b = t.content;
  const parts = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

/** zcrypto pkix.Name JSON keys (ordered as zcrypto writes them) and Go's DN abbreviations */
const NAME_ATTRS = [
  ["2.5.4.3", "common_name", "CN"],
  ["2.5.4.5", "serial_number", "SERIALNUMBER"],
  ["2.5.4.6", "country", "C"],
  ["2.5.4.7", "locality", "L"],
  ["2.5.4.8", "province", "ST"],
  ["2.5.4.9", "street_address", "STREET"],
  ["2.5.4.10", "organization", "O"],
  ["2.5.4.11", "organizational_unit", "OU"],
  ["2.5.4.17", "postal_code", "POSTALCODE"],
];

function parseName(t) {
  const attrs = [];
  for (const set of kids(t)) {
    for (const atv of kids(set)) {
      const [type, value] = kids(atv);
      const id = oid(type);
      const known = NAME_ATTRS.find((a) => a[0] === id);
      if (!known) throw new Error(`DER: name attribute ${id} not handled`);
      attrs.push({ key: known[1], abbr: known[2], value: value.content.toString("utf8") });
    }
  }
  const json = {};
  for (const [, key] of NAME_ATTRS) {
    const vals = attrs.filter((a) => a.key === key).map((a) => a.value);
    if (vals.length) json[key] = vals;
  }
  // Go's pkix.Name.String(): RDNs in reverse order, ", "-separated
  const dn = attrs
    .slice()
    .reverse()
    .map((a) => `${a.abbr}=${a.value}`)
    .join(", ");
  return { json, dn, commonName: json.common_name?.[0] ?? "" };
}

const SIG_ALGS = {
  "1.2.840.113549.1.1.5": "SHA1-RSA",
  "1.2.840.113549.1.1.11": "SHA256-RSA",
  "1.2.840.113549.1.1.12": "SHA384-RSA",
  "1.2.840.113549.1.1.13": "SHA512-RSA",
  "1.2.840.10045.4.3.2": "ECDSA-SHA256",
  "1.2.840.10045.4.3.3": "ECDSA-SHA384",
};

// ---------------------------------------------------------------------------------------------------
// zcrypto's parsed certificate (x509/json.go JSONCertificate, field order as there)

/** the labelled certificate of a lab record's tls.chain[i], in zcrypto's JSON */
function zcryptoCert(c) {
  const der = Buffer.from(c.der, "base64");
  const cert = tlv(der);
  const [tbs, sigAlg, sigValue] = kids(cert);
  const fields = kids(tbs);
  let i = 0;
  let version = 1;
  if (fields[0].tag === 0xa0) {
    version = tlv(fields[0].content).content[0] + 1;
    i = 1;
  }
  const serial = fields[i++];
  i++; // the TBS signature AlgorithmIdentifier (the same as the outer one)
  const issuer = fields[i++];
  i++; // validity (taken from the lab record, which read the same certificate)
  const subject = fields[i++];
  const spki = fields[i++];
  const extField = fields.slice(i).find((f) => f.tag === 0xa3);

  const sigOid = oid(kids(sigAlg)[0]);
  const sigName = SIG_ALGS[sigOid];
  if (!sigName) throw new Error(`signature algorithm ${sigOid} not handled`);
  const signatureAlgorithm = { name: sigName, oid: sigOid };

  const spkiSha = sha256(spki.raw);
  if (spkiSha !== c.spki_sha256) throw new Error(`SPKI hash differs from the lab record (${c.subject})`);
  const [keyAlg, keyBits] = kids(spki);
  const keyOid = oid(kids(keyAlg)[0]);
  const subjectKeyInfo = {};
  if (keyOid === "1.2.840.113549.1.1.1") {
    const rsa = tlv(keyBits.content.subarray(1)); // BIT STRING: skip the unused-bits byte
    const [n, e] = kids(rsa);
    const modulus = stripZeros(n.content);
    subjectKeyInfo.key_algorithm = { name: "RSA" };
    subjectKeyInfo.rsa_public_key = {
      exponent: Number(BigInt(`0x${e.content.toString("hex")}`)),
      modulus: b64(modulus),
      length: modulus.length * 8,
    };
    if (modulus.length * 8 !== c.key_bits) throw new Error("RSA size differs from the lab record");
  } else {
    throw new Error(`key algorithm ${keyOid} not handled`);
  }
  subjectKeyInfo.fingerprint_sha256 = spkiSha;

  const iss = parseName(issuer);
  const sub = parseName(subject);

  // extensions, in zcrypto's CertificateExtensions order
  const ext = {};
  const found = {};
  if (extField) {
    for (const e of kids(tlv(extField.content))) {
      const parts = kids(e);
      const id = oid(parts[0]);
      const value = tlv(parts[parts.length - 1].content);
      if (id === "2.5.29.19") {
        const bc = kids(value);
        const isCa = bc.length > 0 && bc[0].tag === 0x01 && bc[0].content[0] !== 0;
        const pathLen = bc.find((x) => x.tag === 0x02);
        found.basic_constraints = { is_ca: isCa };
        if (pathLen) found.basic_constraints.max_path_len = pathLen.content[0];
      } else if (id === "2.5.29.17") {
        const dns = [];
        for (const gn of kids(value)) {
          if (gn.tag !== 0x82) throw new Error("SAN: only dNSName handled");
          dns.push(gn.content.toString("ascii"));
        }
        found.subject_alt_name = { dns_names: dns };
      } else if (id === "2.5.29.35") {
        const keyId = kids(value).find((x) => x.tag === 0x80);
        if (keyId) found.authority_key_id = keyId.content.toString("hex");
      } else if (id === "2.5.29.14") {
        found.subject_key_id = value.content.toString("hex");
      } else {
        throw new Error(`extension ${id} not handled`);
      }
    }
    for (const k of ["basic_constraints", "subject_alt_name", "authority_key_id", "subject_key_id"]) {
      if (k in found) ext[k] = found[k];
    }
  }

  const x = new X509Certificate(der);
  const selfSigned = Buffer.compare(subject.raw, issuer.raw) === 0 && x.verify(x.publicKey);
  if (selfSigned !== c.self_signed) throw new Error("self-signed differs from the lab record");
  if (sha256(der) !== c.sha256) throw new Error("certificate hash differs from the lab record");
  const serialHex = serial.content.toString("hex");
  if (BigInt(`0x${serialHex}`) !== BigInt(`0x${c.serial}`)) throw new Error("serial differs");

  const start = c.not_before.replace(/\.\d{3}Z$/, "Z");
  const end = c.not_after.replace(/\.\d{3}Z$/, "Z");
  const dnsNames = found.subject_alt_name?.dns_names ?? [];
  // x509/json.go CollectAllNames: the CN when it parses as a host name (util.IsURL), the DNS SANs
  const names = [...new Set([...(sub.commonName.includes(".") ? [sub.commonName] : []), ...dnsNames])].sort();

  const parsed = {
    version,
    serial_number: BigInt(`0x${serialHex}`).toString(10),
    signature_algorithm: signatureAlgorithm,
    issuer: iss.json,
    issuer_dn: iss.dn,
    validity: { start, end, length: (Date.parse(end) - Date.parse(start)) / 1000 },
    subject: sub.json,
    subject_dn: sub.dn,
    subject_key_info: subjectKeyInfo,
  };
  if (Object.keys(ext).length) parsed.extensions = ext;
  Object.assign(parsed, {
    signature: {
      signature_algorithm: signatureAlgorithm,
      value: b64(sigValue.content.subarray(1)),
      // x509/json.go: Valid is forced true for a self-signed certificate; leaves are not checked
      valid: selfSigned,
      self_signed: selfSigned,
    },
    fingerprint_md5: md5(der),
    fingerprint_sha1: sha1(der),
    fingerprint_sha256: sha256(der),
    // no CT poison or SCT-list extension (any other extension would have thrown above)
    tbs_noct_fingerprint: sha256(tbs.raw),
    spki_subject_fingerprint: sha256(Buffer.concat([spki.raw, subject.raw])),
    tbs_fingerprint: sha256(tbs.raw),
    validation_level: "unknown",
  });
  if (names.length) parsed.names = names;
  parsed.redacted = false;
  return { raw: c.der, parsed };
}

// ---------------------------------------------------------------------------------------------------
// zcrypto's TLS handshake log (tls/tls_handshake.go) and zgrab2's TLSLog (tls.go)

const TLS13_SUITES = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
};

function cipherSuite(name) {
  const value = TLS13_SUITES[name];
  if (value === undefined) throw new Error(`cipher ${name} not handled`);
  return { hex: `0x${value.toString(16).toUpperCase().padStart(4, "0")}`, name, value };
}

/** the ServerHandshake (handshake_log) for a lab record's tls part */
function handshakeLog(tls) {
  if (tls.version !== "TLSv1.3") throw new Error(`TLS version ${tls.version} not handled`);
  if (!tls.chain.length) throw new Error("no certificate");
  const [leaf, ...rest] = tls.chain;
  const certificates = { certificate: zcryptoCert(leaf) };
  if (rest.length) certificates.chain = rest.map(zcryptoCert);
  // self-signed lab certificates: x509/verify.go UnknownAuthorityError against the system roots
  certificates.validation = {
    browser_trusted: false,
    browser_error: "x509: certificate signed by unknown authority",
  };
  return {
    server_hello: {
      // TLS 1.3: the ServerHello's legacy_version is 0x0303; the real version is in supported_versions
      version: { name: "TLSv1.2", value: 771 },
      cipher_suite: cipherSuite(tls.cipher),
      supported_versions: { selected_version: { name: "TLSv1.3", value: 772 } },
    },
    server_certificates: certificates,
  };
}

function tlsLog(tls) {
  return { handshake_log: handshakeLog(tls), handshake_completed_successfully: !tls.error };
}

// ---------------------------------------------------------------------------------------------------
// SSH (zgrab2 lib/ssh: HandshakeLog, kexInitMsg JSON, algorithms JSON, ServerHostKeyJsonLog)

const ZGRAB2_SSH = {
  kex: [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group1-sha1",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group-exchange-sha1",
  ],
  hostKey: [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-256",
    "rsa-sha2-512",
    "ssh-rsa",
    "ssh-dss",
    "ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "ssh-rsa-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
  ],
  ciphers: [
    "chacha20-poly1305@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-cbc",
    "arcfour256",
    "arcfour128",
    "arcfour",
    "3des-cbc",
  ],
  macs: ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-256", "hmac-sha1", "hmac-sha1-96"],
  compression: ["none"],
};
const AEAD = new Set(["chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]);
/** FreshGrab.py's --host-key-algorithms for port 22 */
const FRESHGRAB_HOST_KEYS = [
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
  "ssh-dss",
  "ssh-ed25519",
];
/** multiple.jsonl's [ssh-legacy] section */
const LEGACY_HOST_KEYS = ["ecdsa-sha2-nistp256", "ssh-rsa"];

/** FIPS 186-4 D.1.2.3 (P-256); checked against node's curve below */
const P256 = {
  p: "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
  n: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
  b: "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
  gx: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
  gy: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
};

function modp(a, p) {
  const r = a % p;
  return r < 0n ? r + p : r;
}
function onP256(x, y) {
  const p = BigInt(`0x${P256.p}`);
  return modp(y * y - (x * x * x - 3n * x + BigInt(`0x${P256.b}`)), p) === 0n;
}
function checkP256() {
  const g = createECDH("prime256v1");
  g.setPrivateKey(Buffer.from(`${"00".repeat(31)}01`, "hex"));
  const pub = g.getPublicKey();
  if (pub.subarray(1, 33).toString("hex") !== P256.gx || pub.subarray(33).toString("hex") !== P256.gy) {
    throw new Error("P-256 generator constant is wrong");
  }
  if (!onP256(BigInt(`0x${P256.gx}`), BigInt(`0x${P256.gy}`))) throw new Error("P-256 p/b constant is wrong");
  const m = createECDH("prime256v1");
  m.setPrivateKey(Buffer.from((BigInt(`0x${P256.n}`) - 1n).toString(16).padStart(64, "0"), "hex"));
  const neg = m.getPublicKey();
  const p = BigInt(`0x${P256.p}`);
  if (BigInt(`0x${neg.subarray(33).toString("hex")}`) !== p - BigInt(`0x${P256.gy}`)) {
    throw new Error("P-256 order constant is wrong");
  }
}

/** reads an SSH wire string at off: [value, next offset] */
function sshString(buf, off) {
  const len = buf.readUInt32BE(off);
  return [buf.subarray(off + 4, off + 4 + len), off + 4 + len];
}

/** zgrab2's server_host_key for a lab host key (lib/ssh/kex.go LogServerHostKey) */
function serverHostKey(key) {
  const blob = Buffer.from(key.blob, "base64");
  const fp = createHash("sha256").update(blob).digest();
  if (`SHA256:${fp.toString("base64").replace(/=+$/, "")}` !== key.fingerprint_sha256) {
    throw new Error("SSH fingerprint differs from the lab record");
  }
  const [type, o1] = sshString(blob, 0);
  const algorithm = type.toString("ascii");
  const out = {};
  if (algorithm === "ssh-ed25519") {
    const [pk] = sshString(blob, o1);
    out.ed25519_public_key = { public_bytes: b64(pk) };
  } else if (algorithm === "ssh-rsa") {
    const [e, o2] = sshString(blob, o1);
    const [n] = sshString(blob, o2);
    const modulus = stripZeros(n);
    out.rsa_public_key = {
      exponent: Number(BigInt(`0x${e.toString("hex")}`)),
      modulus: b64(modulus),
      length: modulus.length * 8,
    };
  } else if (algorithm === "ecdsa-sha2-nistp256") {
    const [curve, o2] = sshString(blob, o1);
    const [q] = sshString(blob, o2);
    if (curve.toString() !== "nistp256" || q[0] !== 4 || q.length !== 65) throw new Error("bad P-256 key");
    const x = q.subarray(1, 33);
    const y = q.subarray(33);
    if (!onP256(BigInt(`0x${x.toString("hex")}`), BigInt(`0x${y.toString("hex")}`))) {
      throw new Error("SSH ECDSA key is not on P-256");
    }
    const h = (s) => b64(stripZeros(Buffer.from(s, "hex")));
    out.ecdsa_public_key = {
      b: h(P256.b),
      curve: "P-256",
      gx: h(P256.gx),
      gy: h(P256.gy),
      length: 256,
      n: h(P256.n),
      p: h(P256.p),
      x: b64(stripZeros(x)),
      y: b64(stripZeros(y)),
    };
  } else {
    throw new Error(`SSH key type ${algorithm} not handled`);
  }
  out.raw = key.blob;
  out.algorithm = algorithm;
  out.fingerprint_sha256 = fp.toString("hex");
  return out;
}

/** lib/ssh/common.go findCommon */
function findCommon(what, client, server) {
  const hit = client.find((c) => server.includes(c));
  if (hit === undefined) {
    throw new SshNegotiationError(
      `ssh: no common algorithm for ${what}; client offered: [${client.join(" ")}], server offered: [${server.join(" ")}]`,
    );
  }
  return hit;
}
class SshNegotiationError extends Error {}

/** key type of the blob a host key algorithm fetches */
function keyTypeFor(alg) {
  return alg.startsWith("rsa-sha2-") ? "ssh-rsa" : alg;
}

/**
 * zgrab2's ssh result for a lab SSH record, offering hostKeyAlgs: the result, or the
 * handshake error message when negotiation fails (zgrab2 then returns no result at all).
 */
function sshResult(rec, hostKeyAlgs) {
  const k = rec.ssh.kex;
  const raw = rec.ssh.banner;
  // lib/ssh/client.go clientHandshake: split at the first space, then "SSH-<version>-<software>"
  const sp = raw.indexOf(" ");
  const head = sp < 0 ? raw : raw.slice(0, sp);
  const group = head.split("-");
  const serverId = { raw, version: group[1], software: group.slice(2).join("-") };
  if (sp >= 0) serverId.comment = raw.slice(sp + 1);
  let selection;
  try {
    const dir = (ciphers, macs, compression) => {
      const cipher = findCommon("cipher", ZGRAB2_SSH.ciphers, ciphers);
      return {
        cipher,
        mac: AEAD.has(cipher) ? "" : findCommon("MAC", ZGRAB2_SSH.macs, macs),
        compression: findCommon("compression", ZGRAB2_SSH.compression, compression),
      };
    };
    selection = {
      dh_kex_algorithm: findCommon("key exchange", ZGRAB2_SSH.kex, k.kex),
      host_key_algorithm: findCommon("host key", hostKeyAlgs, k.host_key),
      client_to_server_alg_group: dir(k.ciphers_c2s, k.macs_c2s, k.compression_c2s),
      server_to_client_alg_group: dir(k.ciphers_s2c, k.macs_s2c, k.compression_s2c),
    };
  } catch (e) {
    if (e instanceof SshNegotiationError) {
      return { error: `failed to create SSH client connection: ssh: handshake failed: ${e.message}` };
    }
    throw e;
  }
  const key = rec.ssh.host_keys.find((h) => h.type === keyTypeFor(selection.host_key_algorithm));
  if (!key) throw new Error(`${rec.ip}: no lab key for ${selection.host_key_algorithm}`);
  const hassh = md5(
    [k.kex.join(","), k.ciphers_s2c.join(","), k.macs_s2c.join(","), k.compression_s2c.join(",")].join(";"),
  );
  return {
    result: {
      server_id: serverId,
      server_key_exchange: {
        kex_algorithms: k.kex,
        host_key_algorithms: k.host_key,
        client_to_server_ciphers: k.ciphers_c2s,
        server_to_client_ciphers: k.ciphers_s2c,
        client_to_server_macs: k.macs_c2s,
        server_to_client_macs: k.macs_s2c,
        client_to_server_compression: k.compression_c2s,
        server_to_client_compression: k.compression_s2c,
        serverHaSSH: hassh,
      },
      algorithm_selection: selection,
      key_exchange: { server_host_key: serverHostKey(key) },
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// SMTP, IMAP, POP3, HTTP (zgrab2 modules/*/scanner.go)

/**
 * zgrab2 modules/smtp Scan() replayed over a lab SMTP record.
 * opts: { help, quit, starttlsOverride, smtps }. Returns { status, result, error }.
 */
function smtpScan(stem, rec, opts) {
  const s = rec.smtp;
  // the replies are reused only where the lab sent the EHLO name zgrab2 is given (--ehlo-domain)
  if (!rec.transcript.some((t) => t.dir === "C" && t.data === `EHLO ${EHLO_NAME}`)) {
    throw new Error(`${stem}: the lab did not send EHLO ${EHLO_NAME}`);
  }
  const result = {};
  const banner = s.replies.greeting.raw;
  let tls = null;
  if (opts.smtps) {
    if (!rec.tls?.implicit) throw new Error(`${stem}: not implicit TLS`);
    tls = tlsLog(rec.tls);
  }
  result.banner = banner;
  if (banner.includes("ESMTP")) {
    result.ehlo = s.replies.ehlo.raw;
  } else {
    const derive = DERIVED[`${stem}:helo`];
    if (!derive) throw new Error(`${stem}: HELO reply not captured and not derived`);
    result.helo = derive(rec);
  }
  if (opts.help) result.help = s.help.raw;
  const advertised = (result.ehlo ?? "").includes("STARTTLS");
  if ((advertised || opts.starttlsOverride) && !opts.smtps) {
    const reply = s.starttls?.raw ?? DERIVED[`${stem}:starttls`]?.(rec);
    if (!reply) throw new Error(`${stem}: STARTTLS reply not captured and not derived`);
    result.starttls = reply;
    const code = Number(reply.slice(0, 3));
    if (code < 200 || code >= 300) {
      return {
        status: "application-error",
        result: order(result, tls),
        error: `SMTP error code ${code} returned from STARTTLS command (${reply.trim()})`,
      };
    }
    tls = tlsLog(rec.tls);
    if (rec.tls.error) {
      // the lab's client saw the server's alert 80; Go reports a received alert this way
      if (!/alert internal error/.test(rec.tls.error)) throw new Error(`${stem}: TLS error not mapped`);
      return {
        status: "handshake-error",
        result: order(result, tls),
        error: "could not complete TLS handshake: remote error: tls: internal error",
      };
    }
  }
  if (opts.quit) result.quit = s.quit.raw;
  return { status: "success", result: order(result, tls) };

  /** ScanResults field order: banner, helo, ehlo, help, starttls, quit, implicit_tls, tls */
  function order(r, t) {
    const out = {};
    for (const key of ["banner", "helo", "ehlo", "help", "starttls", "quit"]) if (key in r) out[key] = r[key];
    if (opts.smtps) out.implicit_tls = true;
    if (t) out.tls = t;
    return out;
  }
}

/** the line the lab recorded, with the CRLF the protocol puts after it */
const crlf = (line) => `${line}\r\n`;

function imapScan(rec, { imaps }) {
  const result = { banner: crlf(rec.imap.greeting) };
  if (!imaps) {
    // zgrab2 sends "a001 STARTTLS" straight after the greeting; the lab sent it as a2 (after a CAPABILITY)
    const m = /^a\d+ (.*)$/.exec(rec.imap.starttls);
    if (!m) throw new Error("IMAP STARTTLS reply not tagged");
    result.starttls = crlf(`a001 ${m[1]}`);
  }
  result.tls = tlsLog(rec.tls);
  return { status: "success", result };
}

function pop3Scan(rec) {
  return {
    status: "success",
    result: { banner: crlf(rec.pop3.greeting), starttls: crlf(rec.pop3.stls), tls: tlsLog(rec.tls) },
  };
}

/** lib/http/header.go knownHeaders: the rest go to "unknown" */
const KNOWN_HTTP_HEADERS = new Set(
  (
    "accept accept_charset accept_encoding accept_language accept_patch accept_ranges access_control_allow_origin " +
    "age allow alt_svc alternate_protocol authorization cache_control connection content_disposition " +
    "content_encoding content_language content_length content_location content_md5 content_range " +
    "content_security_policy content_type cookie date etag expect expires from host if_match " +
    "if_modified_since if_none_match if_unmodified_since last_modified link location max_forwards p3p pragma " +
    "proxy_agent proxy_authenticate proxy_authorization public_key_pins range referer refresh retry_after server " +
    "set_cookie status strict_transport_security trailer transfer_encoding upgrade user_agent vary via warning " +
    "www_authenticate x_content_duration x_content_security_policy x_content_type_options x_forwarded_for " +
    "x_frame_options x_powered_by x_real_ip x_ua_compatible x_webkit_csp x_xss_protection"
  ).split(" "),
);

function httpHeaders(pairs) {
  const known = {};
  const unknown = [];
  for (const [name, value] of pairs) {
    const key = name.toLowerCase().replaceAll("-", "_");
    if (KNOWN_HTTP_HEADERS.has(key)) {
      known[key] ??= [];
      known[key].push(value);
    } else {
      const u = unknown.find((x) => x.key === key);
      if (u) u.value.push(value);
      else unknown.push({ key, value: [value] });
    }
  }
  if (unknown.length) known.unknown = unknown;
  return sortKeys(known);
}

/** zgrab2's http result for a lab http/https record (the lab sent HEAD, zgrab2 sends GET: no body) */
function httpResponse(rec, https) {
  const h = rec.http;
  const m = /^HTTP\/(\d)\.(\d) (.*)$/.exec(h.status_line);
  if (!m) throw new Error("bad status line");
  const response = {
    status_line: m[3],
    status_code: h.status,
    protocol: `HTTP/${m[1]}.${m[2]}`,
    protocol_major: Number(m[1]),
    protocol_minor: Number(m[2]),
    headers: httpHeaders(h.headers),
  };
  const cl = h.headers.find(([k]) => k.toLowerCase() === "content-length");
  if (cl) response.content_length = Number(cl[1]);
  const request = {
    url: { scheme: https ? "https" : "http", host: rec.ip, path: "/" },
    method: "GET",
    protocol: "HTTP/1.1",
    protocol_major: 1,
    protocol_minor: 1,
    headers: { accept: ["*/*"], user_agent: ["Mozilla/5.0 zgrab/0.x"] },
    host: rec.ip,
  };
  if (https) request.tls_log = tlsLog(rec.tls);
  response.request = request;
  return { response };
}

// ---------------------------------------------------------------------------------------------------
// Connection failures (status.go TryGetScanStatus: a dial net.OpError is connection-timeout)

function refused(protocol, ip, port) {
  const dial = `dial context failed: dial tcp ${ip}:${port}: connect: connection refused`;
  switch (protocol) {
    case "smtp":
    case "imap":
      return { error: dial };
    case "pop3":
      return { error: `error connecting to target ${ip}: ${dial}` };
    case "ssh":
      return { error: `failed to dial target ${ip}: ${dial}` };
    case "tls":
      return { error: `could not initiate a L4 connection with L4 dialer: ${dial}` };
    case "http":
      // modules/http: the results struct comes back even on error, empty without a response
      return {
        result: {},
        error:
          port === 443
            ? `unable to dial target (${ip}) with TLS Dialer: could not initiate a L4 connection with L4 dialer: ${dial}`
            : `unable to dial target (${ip}) with L4 Dialer: ${dial}`,
      };
    default:
      throw new Error(protocol);
  }
}

// ---------------------------------------------------------------------------------------------------
// Serialisation

function sortKeys(o) {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** Go's encoding/json: compact, with <, >, & escaped (HTML-safe by default) */
function goJson(v) {
  return JSON.stringify(v)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** a Python float (json.dumps writes 1.0, not 1) */
class PyFloat {
  constructor(v) {
    this.v = v;
  }
}

/** Python's json.dumps defaults (what jsonpickle.encode writes): ", " and ": ", ensure_ascii */
function pyJson(v) {
  if (v instanceof PyFloat) {
    const s = String(v.v);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
  if (v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(pyJson).join(", ")}]`;
  if (typeof v === "object") {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyJson(k)}: ${pyJson(x)}`)
      .join(", ")}}`;
  }
  if (typeof v === "string") {
    return JSON.stringify(v).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  }
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------------
// zgrab2 multiple.jsonl

/** the ini's sections, in file order: [name, module, port] */
const SECTIONS = [
  ["smtp", "smtp", 25],
  ["smtps", "smtp", 465],
  ["submission", "smtp", 587],
  ["ssh", "ssh", 22],
  ["ssh-legacy", "ssh", 22],
  ["imap", "imap", 143],
  ["imaps", "imap", 993],
  ["pop3", "pop3", 110],
  ["http", "http", 80],
  ["https", "http", 443],
  ["tls", "tls", 443],
];

/** per host, the section names the lab has a record for, and which record */
const MULTIPLE_HOSTS = [
  {
    ip: "127.77.1.1",
    smtp: "postfix-25",
    smtps: "postfix-465",
    submission: "postfix-587",
  },
  { ip: "127.77.1.3", smtp: "exim-25" },
  { ip: "127.77.1.7", smtp: "opensmtpd-25" },
  { ip: "127.77.1.14", smtp: "python-smtpd-25" },
  { ip: "127.77.1.15", smtp: "twisted-mail-25" },
  {
    ip: "127.77.4.1",
    smtps: "dovecot-465",
    submission: "dovecot-587",
    imap: "dovecot-143",
    imaps: "dovecot-993",
    pop3: "dovecot-110",
  },
  { ip: "127.77.5.1", http: "nginx-80", https: "nginx-443", tls: "nginx-443" },
  { ip: "127.77.3.1", ssh: "ssh/openssh-22", "ssh-legacy": "ssh/openssh-22" },
  { ip: "127.77.3.2", ssh: "ssh/openssh-nobanner-22", "ssh-legacy": "ssh/openssh-nobanner-22" },
  { ip: "127.77.3.3", ssh: "ssh/dropbear-22", "ssh-legacy": "ssh/dropbear-22" },
  { ip: "127.77.3.4", ssh: "ssh/tinyssh-22", "ssh-legacy": "ssh/tinyssh-22" },
];

/** one module's outcome in multiple mode: { status, result?, error? } */
function multipleModule(name, stem) {
  const rec = lab(stem);
  if (rec.ip === undefined) throw new Error(stem);
  switch (name) {
    case "smtp":
      return smtpScan(stem, rec, { help: true, quit: true, starttlsOverride: true });
    case "smtps":
      return smtpScan(stem, rec, { help: true, quit: true, smtps: true });
    case "submission":
      return smtpScan(stem, rec, { help: true, quit: true });
    case "ssh":
    case "ssh-legacy": {
      const r = sshResult(rec, name === "ssh" ? ZGRAB2_SSH.hostKey : LEGACY_HOST_KEYS);
      return r.error
        ? { status: "handshake-error", error: r.error }
        : { status: "success", result: r.result };
    }
    case "imap":
      return imapScan(rec, { imaps: false });
    case "imaps":
      return imapScan(rec, { imaps: true });
    case "pop3":
      return pop3Scan(rec);
    case "http":
      return { status: "success", result: httpResponse(rec, false) };
    case "https":
      return { status: "success", result: httpResponse(rec, true) };
    case "tls":
      return { status: "success", result: tlsLog(rec.tls) };
    default:
      throw new Error(name);
  }
}

/** ScanResponse (module.go): status, protocol, port, result, timestamp, error */
function scanResponse(module, port, outcome, timestamp) {
  const r = { status: outcome.status, protocol: module, port };
  if ("result" in outcome) r.result = outcome.result;
  r.timestamp = timestamp;
  if (outcome.error !== undefined) r.error = outcome.error;
  return r;
}

function stamp(line, module) {
  const t = Date.UTC(2026, 11, 3, 12, 0, 0) + line * 60_000 + module * 1000;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function multipleLines() {
  const lines = [];
  const hosts = [...MULTIPLE_HOSTS, { ip: SYNTHETIC_IP }];
  hosts.forEach((host, lineNo) => {
    const data = {};
    SECTIONS.forEach(([name, module, port], i) => {
      let outcome;
      if (host.ip === SYNTHETIC_IP && name === "smtp") {
        // synthetic: the peer resets the connection before its greeting
        outcome = {
          status: "io-timeout",
          result: null,
          error: `could not read response from ${host.ip}: read tcp ${SCANNER_IP}:41230->${host.ip}:25: read: connection reset by peer`,
        };
      } else if (host.ip === SYNTHETIC_IP && name === "submission") {
        // synthetic: the peer accepts and closes at once (EOF: smtp ReadResponse returns "")
        outcome = { status: "protocol-error", error: "invalid response for SMTP: " };
      } else if (host[name]) {
        outcome = multipleModule(name, host[name]);
        if (lab(host[name]).ip !== host.ip) throw new Error(`${host[name]} is not ${host.ip}`);
      } else {
        outcome = { status: "connection-timeout", ...refused(module, host.ip, port) };
      }
      data[name] = scanResponse(module, port, outcome, stamp(lineNo, i));
    });
    lines.push({ ip: host.ip, data: sortKeys(data) });
  });
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// zgrab2 smtp-single.jsonl: `zgrab2 smtp --send-help --send-quit --ehlo-domain ... --helo-domain ...`

const SINGLE_HOSTS = [
  ["127.77.1.5", "sendmail-25"],
  ["127.77.1.8", "haraka-25"],
  ["127.77.1.9", "smtp-server-25"],
  ["127.77.1.11", "qpsmtpd-25"],
  ["127.77.1.13", "chasquid-25"],
  ["127.77.4.2", null],
];

function singleLines() {
  return SINGLE_HOSTS.map(([ip, stem], i) => {
    const outcome = stem
      ? smtpScan(stem, lab(stem), { help: true, quit: true })
      : { status: "connection-timeout", ...refused("smtp", ip, 25) };
    if (stem && lab(stem).ip !== ip) throw new Error(stem);
    return { ip, data: { smtp: scanResponse("smtp", 25, outcome, stamp(20, i)) } };
  });
}

// ---------------------------------------------------------------------------------------------------
// sftcd records.fresh: FreshGrab.py, one zgrab2 process per port, then zgrab2_to_v1()

const FRESH_PORTS = ["22", "25", "110", "143", "443", "587", "993"];

/** FreshGrab.py zgrab2_to_v1(), line for line; throws where Python would (result null) */
function zgrab2ToV1(v2) {
  const data = v2.data ?? {};
  const module = Object.keys(data)[0];
  if (module === undefined) return v2;
  const result = "result" in data[module] ? data[module].result : {};
  if (result === null) throw new PyError("argument of type 'NoneType' is not iterable");
  if ("tls" in result && result.tls.handshake_log != null) result.tls = result.tls.handshake_log;
  const v1 = { ip: v2.ip ?? "" };
  if (module === "http") {
    const req = result.response?.request;
    if (req) {
      const hl = req.tls_log?.handshake_log;
      if (hl != null) {
        req.tls_handshake = hl;
        delete req.tls_log;
      }
    }
    v1.data = { http: result };
  } else if (module === "ssh") {
    v1.data = { xssh: result };
  } else {
    v1.data = result;
  }
  return v1;
}
class PyError extends Error {}

/** FreshGrab's zgrab2 invocation for one port of one host, as zgrab2 would print it */
function freshZgrab2(ip, port, stem) {
  const module = { 22: "ssh", 25: "smtp", 110: "pop3", 143: "imap", 443: "http", 587: "smtp", 993: "imap" }[
    port
  ];
  const domain = port === "25" || port === "587" ? `[${SCANNER_IP}]` : ip;
  let outcome;
  if (ip === SYNTHETIC_IP && port === "25") {
    outcome = {
      status: "io-timeout",
      result: null,
      error: `could not read response from ${domain}(${ip}): read tcp ${SCANNER_IP}:41230->${ip}:25: read: connection reset by peer`,
    };
  } else if (ip === SYNTHETIC_IP && port === "587") {
    outcome = { status: "protocol-error", error: "invalid response for SMTP: " };
  } else if (!stem) {
    outcome = { status: "connection-timeout", ...refused(module, ip, Number(port)) };
  } else {
    const rec = lab(stem);
    if (rec.ip !== ip) throw new Error(`${stem} is not ${ip}`);
    if (module === "smtp") outcome = smtpScan(stem, rec, {});
    else if (module === "ssh") {
      const r = sshResult(rec, FRESHGRAB_HOST_KEYS);
      outcome = r.error
        ? { status: "handshake-error", error: r.error }
        : { status: "success", result: r.result };
    } else if (module === "pop3") outcome = pop3Scan(rec);
    else if (module === "imap") outcome = imapScan(rec, { imaps: port === "993" });
    else outcome = { status: "success", result: httpResponse(rec, true) };
  }
  return {
    ip,
    domain,
    data: { [module]: scanResponse(module, Number(port), outcome, "2026-12-03T12:30:00Z") },
  };
}

const FRESH_HOSTS = [
  { ip: "127.77.1.1", 25: "postfix-25", 587: "postfix-587" },
  { ip: "127.77.1.3", 25: "exim-25" },
  { ip: "127.77.1.5", 25: "sendmail-25" },
  { ip: "127.77.1.14", 25: "python-smtpd-25" },
  { ip: "127.77.1.15", 25: "twisted-mail-25" },
  { ip: "127.77.4.1", 110: "dovecot-110", 143: "dovecot-143", 587: "dovecot-587", 993: "dovecot-993" },
  { ip: "127.77.4.2", 110: "mailutils-110", 143: "mailutils-143", 993: "mailutils-993" },
  { ip: "127.77.5.1", 443: "nginx-443" },
  { ip: "127.77.3.1", 22: "ssh/openssh-22" },
  { ip: "127.77.3.2", 22: "ssh/openssh-nobanner-22" },
  { ip: "127.77.3.3", 22: "ssh/dropbear-22" },
  { ip: "127.77.3.4", 22: "ssh/tinyssh-22" },
  { ip: SYNTHETIC_IP },
];

function freshLines() {
  let average = 0;
  return FRESH_HOSTS.map((host, n) => {
    const rec = { ip: host.ip, writer: "FreshGrab.py" };
    let ms = 0;
    for (const port of FRESH_PORTS) {
      try {
        rec[`p${port}`] = zgrab2ToV1(freshZgrab2(host.ip, port, host[port]));
      } catch (e) {
        if (!(e instanceof PyError)) throw e;
        rec[`p${port}`] = e.message; // FreshGrab: jthing['p'+port]=str(e)
      }
      // duration: the lab's time for the captured exchanges (FreshGrab's own overhead not modelled)
      ms += host[port] ? lab(host[port]).duration_ms : 0;
    }
    const duration = ms / 1000;
    average = (n * average + duration) / (n + 1);
    rec.duration = new PyFloat(duration);
    rec.average = new PyFloat(Math.round(average * 1e6) / 1e6);
    return rec;
  });
}

// ---------------------------------------------------------------------------------------------------
// sftcd censys-2017.json: the legacy censys.io IPv4 layout that SameKeys.py still reads

/** censys.io's TLS object (version, cipher_suite{id,name}, certificate{parsed}, chain, validation) */
function censysTls(tls) {
  const hl = handshakeLog(tls);
  const leaf = hl.server_certificates.certificate.parsed;
  const parsed = structuredClone(leaf);
  // censys.io wrote key algorithm names in lower case (SameKeys.py get_tls tests 'rsa')
  parsed.subject_key_info.key_algorithm.name = parsed.subject_key_info.key_algorithm.name.toLowerCase();
  const suite = cipherSuite(tls.cipher);
  return {
    version: tls.version,
    cipher_suite: { id: suite.hex, name: suite.name },
    certificate: { parsed },
    validation: { browser_trusted: false, browser_error: hl.server_certificates.validation.browser_error },
  };
}

/** documentation ASNs (RFC 5398): the lab's loopback addresses have no autonomous system */
const CENSYS_HOSTS = [
  { ip: "127.77.1.1", asn: 64496, name: "SMTPSURVEY-LAB-A", ports: { 25: "postfix-25" } },
  { ip: "127.77.5.1", asn: 64497, name: "SMTPSURVEY-LAB-B", ports: { 443: "nginx-443" } },
  {
    ip: "127.77.4.1",
    asn: 64496,
    name: "SMTPSURVEY-LAB-A",
    ports: { 110: "dovecot-110", 143: "dovecot-143", 993: "dovecot-993" },
  },
  { ip: "127.77.3.3", asn: 64497, name: "SMTPSURVEY-LAB-B", ports: { 22: "ssh/dropbear-22" } },
];

function censysLines() {
  return CENSYS_HOSTS.map((h) => {
    const out = {
      ip: h.ip,
      autonomous_system: { asn: h.asn, name: h.name },
      location: { country_code: "IE" },
    };
    const P = h.ports;
    if (P[22]) {
      const rec = lab(P[22]);
      const r = sshResult(rec, FRESHGRAB_HOST_KEYS).result;
      const shk = r.key_exchange.server_host_key;
      const key = { key_algorithm: shk.algorithm, fingerprint_sha256: shk.fingerprint_sha256 };
      for (const k of ["rsa_public_key", "ecdsa_public_key", "ed25519_public_key"])
        if (shk[k]) key[k] = shk[k];
      out.p22 = { ssh: { v2: { banner: r.server_id, server_host_key: key } } };
    }
    if (P[25]) {
      const rec = lab(P[25]);
      out.p25 = {
        smtp: {
          starttls: {
            banner: rec.smtp.replies.greeting.raw,
            ehlo: rec.smtp.replies.ehlo.raw,
            starttls: rec.smtp.starttls.raw,
            tls: censysTls(rec.tls),
          },
        },
      };
    }
    if (P[110]) {
      const rec = lab(P[110]);
      out.p110 = {
        pop3: {
          starttls: {
            banner: crlf(rec.pop3.greeting),
            starttls: crlf(rec.pop3.stls),
            tls: censysTls(rec.tls),
          },
        },
      };
    }
    if (P[143]) {
      const rec = lab(P[143]);
      const m = /^a\d+ (.*)$/.exec(rec.imap.starttls);
      out.p143 = {
        imap: {
          starttls: {
            banner: crlf(rec.imap.greeting),
            starttls: crlf(`a001 ${m[1]}`),
            tls: censysTls(rec.tls),
          },
        },
      };
    }
    if (P[443]) out.p443 = { https: { tls: censysTls(lab(P[443]).tls) } };
    if (P[993]) {
      const rec = lab(P[993]);
      out.p993 = { imaps: { tls: { banner: crlf(rec.imap.greeting), tls: censysTls(rec.tls) } } };
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------------
// Key-reuse clusters of records.fresh, the way SameKeys.py fingerprints hosts (printed for the README)

function freshFingerprints(line) {
  const fp = {};
  const tlsOf = {
    p25: (p) => p.data.tls,
    p110: (p) => p.data.tls,
    p143: (p) => p.data.tls,
    p587: (p) => p.data.tls,
    p993: (p) => p.data.tls,
    p443: (p) => p.data.http?.response?.request?.tls_handshake,
  };
  for (const [port, get] of Object.entries(tlsOf)) {
    const p = line[port];
    if (typeof p !== "object") continue;
    const hs = get(p);
    const f = hs?.server_certificates?.certificate?.parsed?.subject_key_info?.fingerprint_sha256;
    if (f) fp[port] = f;
  }
  const shk = typeof line.p22 === "object" ? line.p22.data?.xssh?.key_exchange?.server_host_key : undefined;
  if (shk) fp.p22 = shk.fingerprint_sha256;
  return fp;
}

function clusters(lines, fingerprintsOf) {
  const byFp = new Map();
  for (const l of lines) {
    for (const [port, f] of Object.entries(fingerprintsOf(l))) {
      if (!byFp.has(f)) byFp.set(f, []);
      byFp.get(f).push(`${l.ip}:${port}`);
    }
  }
  // union-find over hosts that share any fingerprint
  const parent = new Map(lines.map((l) => [l.ip, l.ip]));
  const find = (x) => (parent.get(x) === x ? x : find(parent.get(x)));
  for (const users of byFp.values()) {
    const ips = [...new Set(users.map((u) => u.split(":")[0]))];
    for (const ip of ips.slice(1)) parent.set(find(ip), find(ips[0]));
  }
  const groups = new Map();
  for (const l of lines) {
    const r = find(l.ip);
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r).push(l.ip);
  }
  return {
    shared: [...byFp.entries()].filter(([, u]) => u.length > 1),
    clusters: [...groups.values()].filter((g) => g.length > 1),
  };
}

// ---------------------------------------------------------------------------------------------------

function write(dir, file, lines, encode) {
  mkdirSync(dir, { recursive: true });
  const text = `${lines.map(encode).join("\n")}\n`;
  for (const l of text.trimEnd().split("\n")) JSON.parse(l); // every line must be JSON
  writeFileSync(join(dir, file), text);
  console.log(`${join(dir, file).slice(ROOT.length + 1)}: ${lines.length} lines, ${text.length} bytes`);
}

function main() {
  checkP256();
  write(OUT_ZGRAB2, "multiple.jsonl", multipleLines(), goJson);
  write(OUT_ZGRAB2, "smtp-single.jsonl", singleLines(), goJson);
  const fresh = freshLines();
  write(OUT_SFTCD, "records.fresh", fresh, pyJson);
  write(OUT_SFTCD, "censys-2017.json", censysLines(), JSON.stringify);

  const parsedFresh = readFileSync(join(OUT_SFTCD, "records.fresh"), "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  const same = clusters(parsedFresh, freshFingerprints);
  console.log("records.fresh, SameKeys fingerprints shared by more than one host:port:");
  for (const [f, users] of same.shared) console.log(`  ${f.slice(0, 16)}… ${users.join(" ")}`);
  console.log("records.fresh clusters (SameKeys: inter-host sharing of a fingerprint):");
  for (const c of same.clusters) console.log(`  {${c.join(", ")}}`);
}

main();
