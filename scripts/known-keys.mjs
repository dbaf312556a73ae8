// Checks data/known-keys.yaml: recomputes each entry's spki_sha256 (and cert_sha256) from the file
// it names, so every listed key can be verified on a machine that has that software installed.
// The SPKI hash is computed as src/protocols/keys/spki.ts does (the key re-encoded through its JWK
// form, so it equals the spki_sha256 in records).
//
// Usage: node scripts/known-keys.mjs [--strict] [--list data/known-keys.yaml]
//          checks every entry; a file not installed here is skipped (an error with --strict)
//        node scripts/known-keys.mjs --describe FILE...
//          prints the hashes of every certificate and private key in FILEs (PEM), to add entries
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

function canonicalSpki(key) {
  if (["rsa", "ec", "ed25519", "ed448"].includes(key.asymmetricKeyType)) {
    try {
      const jwk = key.export({ format: "jwk" });
      return createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "der" });
    } catch {
      // an EC key on an unnamed curve has no JWK form: hashed as node exports it
    }
  }
  return key.export({ type: "spki", format: "der" });
}

function kindOf(key) {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === "ec")
    return `ecdsa-p${{ prime256v1: 256, secp384r1: 384, secp521r1: 521 }[details.namedCurve] ?? "?"}`;
  if (details.modulusLength) return `${type}-${details.modulusLength}`;
  return type;
}

/** every certificate and (unencrypted) private key in a PEM file, with their hashes */
function describe(path) {
  const text = readFileSync(path, "utf8");
  const found = [];
  for (const block of text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? []) {
    const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(block)[1];
    if (label === "CERTIFICATE") {
      const cert = new X509Certificate(block);
      const key = cert.publicKey;
      found.push({
        what: "certificate",
        spki_sha256: sha256(canonicalSpki(key)),
        cert_sha256: sha256(cert.raw),
        kind: kindOf(key),
        subject: cert.subject.replaceAll("\n", ", "),
        not_after: cert.validTo,
      });
    } else if (/PRIVATE KEY$/.test(label) && !label.includes("ENCRYPTED")) {
      const key = createPublicKey(createPrivateKey(block));
      found.push({ what: "private key", spki_sha256: sha256(canonicalSpki(key)), kind: kindOf(key) });
    }
  }
  return found;
}

function resolve(file) {
  return isAbsolute(file) ? file : join(ROOT, file);
}

function check(listPath, strict) {
  const { keys } = parse(readFileSync(listPath, "utf8"));
  let ok = 0;
  let skipped = 0;
  let bad = 0;
  for (const entry of keys) {
    const path = resolve(entry.file);
    if (!existsSync(path)) {
      console.log(`skip  ${entry.spki_sha256.slice(0, 16)}  ${entry.file} is not installed here`);
      skipped += 1;
      continue;
    }
    const found = describe(path);
    const problems = [];
    const match = found.find((f) => f.spki_sha256 === entry.spki_sha256);
    if (!match) problems.push(`no key in the file has spki_sha256 ${entry.spki_sha256}`);
    else if (match.kind !== entry.kind) problems.push(`kind is ${match.kind}, not ${entry.kind}`);
    if (entry.cert_sha256 && !found.some((f) => f.cert_sha256 === entry.cert_sha256))
      problems.push(`no certificate in the file has sha256 ${entry.cert_sha256}`);
    if (problems.length === 0) {
      console.log(`ok    ${entry.spki_sha256.slice(0, 16)}  ${entry.file}`);
      ok += 1;
    } else {
      for (const p of problems) console.log(`BAD   ${entry.spki_sha256.slice(0, 16)}  ${entry.file}: ${p}`);
      bad += 1;
    }
  }
  console.log(`${ok} verified, ${skipped} not installed here, ${bad} wrong (of ${keys.length})`);
  return bad > 0 || (strict && skipped > 0) ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === "--describe") {
  for (const file of args.slice(1)) {
    for (const f of describe(file)) console.log(JSON.stringify({ file, ...f }));
  }
} else {
  const listAt = args.indexOf("--list");
  const list = listAt >= 0 ? args[listAt + 1] : join(ROOT, "data", "known-keys.yaml");
  process.exitCode = check(list, args.includes("--strict"));
}
