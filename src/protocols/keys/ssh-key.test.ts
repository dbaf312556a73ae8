/**
 * Key identity against the tools everyone trusts: keys made here with ssh-keygen must get the
 * fingerprint `ssh-keygen -l` prints, and the same key in an X.509 certificate (made with openssl)
 * must get the same spki_sha256 on the TLS side (describeCertificate) as on the SSH side.
 * Needs ssh-keygen (openssh-client) and openssl.
 */
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeCertificate } from "../tls/certificate.js";
import { describeSshKey, opensshFingerprint } from "./ssh-key.js";
import { SshReader } from "./ssh-wire.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEYS = [
  { name: "ed25519", args: ["-t", "ed25519"], type: "ssh-ed25519" },
  { name: "ecdsa256", args: ["-t", "ecdsa", "-b", "256"], type: "ecdsa-sha2-nistp256" },
  { name: "ecdsa384", args: ["-t", "ecdsa", "-b", "384"], type: "ecdsa-sha2-nistp384" },
  { name: "ecdsa521", args: ["-t", "ecdsa", "-b", "521"], type: "ecdsa-sha2-nistp521" },
  { name: "rsa2048", args: ["-t", "rsa", "-b", "2048"], type: "ssh-rsa" },
  { name: "rsa3072", args: ["-t", "rsa", "-b", "3072"], type: "ssh-rsa" },
  { name: "dsa", args: ["-t", "dsa"], type: "ssh-dss" },
] as const;

function sh(file: string, args: string[], input?: string): string {
  return execFileSync(file, args, { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

/** `-m PEM` writes RSA, ECDSA and DSA private keys as PEM that openssl reads (Ed25519 stays OpenSSH's). */
function makeKey(name: string, args: readonly string[]): { file: string; blob: Buffer } {
  const file = join(dir, name);
  sh("ssh-keygen", ["-q", ...args, "-m", "PEM", "-N", "", "-C", name, "-f", file]);
  const blob = Buffer.from(readFileSync(`${file}.pub`, "utf8").split(" ")[1] ?? "", "base64");
  return { file, blob };
}

/** `ssh-keygen -lf`: "BITS SHA256:… comment (TYPE)" */
function keygenList(pubFile: string): { bits: number; fingerprint: string } {
  const [bits, fingerprint] = sh("ssh-keygen", ["-lf", pubFile]).trim().split(" ");
  return { bits: Number(bits), fingerprint: fingerprint ?? "" };
}

/**
 * OpenSSH writes Ed25519 private keys only in its own format, which openssl cannot read: take the
 * seed out of the openssh-key-v1 container (unencrypted) and give openssl PKCS#8.
 */
function ed25519Pkcs8(file: string): string {
  const body = readFileSync(file, "utf8")
    .replace(/-----[^-]+-----/g, "")
    .replace(/\s/g, "");
  const reader = new SshReader(Buffer.from(body, "base64"));
  reader.bytes("openssh-key-v1\0".length);
  reader.text(); // cipher "none"
  reader.text(); // kdf "none"
  reader.string(); // kdf options
  reader.uint32(); // one key
  reader.string(); // public key blob
  const secret = new SshReader(reader.string());
  secret.uint32();
  secret.uint32(); // check words
  secret.text(); // "ssh-ed25519"
  const pub = secret.string();
  const seed = secret.string().subarray(0, 32);
  const jwk = { kty: "OKP", crv: "Ed25519", d: seed.toString("base64url"), x: pub.toString("base64url") };
  return createPrivateKey({ key: jwk, format: "jwk" }).export({ type: "pkcs8", format: "pem" }).toString();
}

/** A self-signed certificate for the private key in `pemFile`, as DER. */
function certificateFor(pemFile: string): Buffer {
  const pem = sh("openssl", ["req", "-x509", "-key", pemFile, "-subj", "/CN=key.test", "-days", "1"]);
  return Buffer.from(new X509Certificate(pem).raw);
}

/** openssl's own answer: SHA-256 of the certificate's SubjectPublicKeyInfo, as DER. */
function opensslSpkiSha256(der: Buffer): string {
  const pem = new X509Certificate(der).toString();
  const pub = sh("openssl", ["x509", "-pubkey", "-noout"], pem);
  const spki = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
  return execFileSync("sha256sum", { input: spki }).toString().split(" ")[0] ?? "";
}

describe("SSH key identity", () => {
  it.each(KEYS)("$name: type, bits and fingerprint as ssh-keygen -l says", ({ name, args, type }) => {
    const { file, blob } = makeKey(name, args);
    const listed = keygenList(`${file}.pub`);
    const identity = describeSshKey(blob);
    expect(identity.type).toBe(type);
    expect(identity.fingerprint_sha256).toBe(listed.fingerprint);
    expect(identity.bits).toBe(listed.bits);
    expect(identity.spki_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(KEYS)("$name: the same spki_sha256 as a TLS certificate with this key", ({ name, args }) => {
    const { file, blob } = makeKey(`${name}-tls`, args);
    const pem = name === "ed25519" ? join(dir, "ed25519.pkcs8") : file;
    if (name === "ed25519") writeFileSync(pem, ed25519Pkcs8(file));
    const der = certificateFor(pem);
    const tls = describeCertificate(der);
    expect(describeSshKey(blob).spki_sha256).toBe(tls.spki_sha256);
    // and that is openssl's SPKI hash, not an encoding of our own
    expect(tls.spki_sha256).toBe(opensslSpkiSha256(der));
  });

  it("one identity for an EC key whose certificate carries the compressed point", () => {
    const { file, blob } = makeKey("ecdsa-compressed", ["-t", "ecdsa", "-b", "256"]);
    const compressed = join(dir, "compressed.pem");
    sh("openssl", ["ec", "-in", file, "-conv_form", "compressed", "-out", compressed]);
    const der = certificateFor(compressed);
    const spki = new X509Certificate(der).publicKey.export({ type: "spki", format: "der" });
    expect(spki.length).toBe(59); // 33-byte point: the certificate really is compressed
    expect(describeCertificate(der).spki_sha256).toBe(describeSshKey(blob).spki_sha256);
  });

  it("fingerprints a key type it cannot read, without bits or identity", () => {
    const blob = Buffer.concat([
      Buffer.from([0, 0, 0, 9]),
      Buffer.from("ssh-ed448"),
      Buffer.from([0, 0, 0, 1, 7]),
    ]);
    expect(() => describeSshKey(blob)).toThrow(/Ed448 key of 1 bytes/);
    const odd = Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from("ssh-odd1"), Buffer.from([1, 2, 3])]);
    expect(describeSshKey(odd)).toEqual({
      type: "ssh-odd1",
      bits: null,
      fingerprint_sha256: opensshFingerprint(odd),
      spki_sha256: null,
    });
  });

  it("rejects truncated blobs and bytes after the key", () => {
    const { blob } = makeKey("ed25519-bad", ["-t", "ed25519"]);
    expect(() => describeSshKey(blob.subarray(0, blob.length - 1))).toThrow(/truncated/);
    expect(() => describeSshKey(Buffer.concat([blob, Buffer.from([0])]))).toThrow(
      /after the ssh-ed25519 key/,
    );
  });
});
