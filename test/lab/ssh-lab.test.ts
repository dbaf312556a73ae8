/**
 * SSH against the lab's real servers (OpenSSH twice with one key set, Dropbear with the
 * cross-protocol RSA key). Ground truth comes from OpenSSH's own tools:
 * - `ssh-keyscan … | ssh-keygen -lf -`: every key it returns must be ours, same bits and type.
 *   It asks once per type and gets ONE ECDSA key (the server picks P-256 of its three);
 * - so every key of ours is checked again with the real ssh client, `ssh -v -o
 *   HostKeyAlgorithms=<the algorithm we used>`, which prints the server's key fingerprint;
 * - and for OpenSSH, our set is exactly `ssh-keygen -lf` of the host key files the lab made.
 * With SMTPSURVEY_UPDATE_FIXTURES=1 the records become golden fixtures in test/fixtures/lab/ssh/.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { labPaths } from "../../lab/paths.js";
import { opensshKeysDir } from "../../lab/servers/ssh-host-keys.js";
import { crossProtocolPaths } from "../../lab/shared-keys.js";
import type { ManifestServer } from "../../lab/state.js";
import { repoRoot } from "../../src/core/paths.js";
import { type ScanRecord, ScanRecordSchema } from "../../src/store/schema.js";
import { labManifest } from "../support/lab.js";
import { scanEndpoints } from "../support/scan.js";

const SSH_SERVERS = ["openssh", "openssh-nobanner", "dropbear"];

interface Listed {
  bits: number;
  fingerprint: string;
  /** ssh-keygen's short name: ED25519, ECDSA, RSA, DSA */
  kind: string;
}

/** Lines of `ssh-keygen -lf`: "BITS SHA256:… comment (TYPE)". */
function parseListing(text: string): Listed[] {
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [bits, fingerprint] = line.split(" ");
      return { bits: Number(bits), fingerprint: fingerprint ?? "", kind: /\((\w+)\)$/.exec(line)?.[1] ?? "" };
    });
}

function keyscan(ip: string): Listed[] {
  const scanned = spawnSync("ssh-keyscan", ["-p", "22", "-T", "10", "-t", "ed25519,ecdsa,rsa,dsa", ip], {
    encoding: "utf8",
  });
  return parseListing(execFileSync("ssh-keygen", ["-lf", "-"], { input: scanned.stdout, encoding: "utf8" }));
}

/** The fingerprint the real ssh client reports for one host key algorithm (it never gets in). */
function sshClientFingerprint(ip: string, algorithm: string): string | undefined {
  const result = spawnSync(
    "ssh",
    [
      "-v",
      "-F",
      "/dev/null",
      "-o",
      "BatchMode=yes",
      "-o",
      `HostKeyAlgorithms=${algorithm}`,
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "PubkeyAuthentication=no",
      "-o",
      "PasswordAuthentication=no",
      "-o",
      "KbdInteractiveAuthentication=no",
      "-o",
      "GSSAPIAuthentication=no",
      "-o",
      "ConnectTimeout=10",
      "-p",
      "22",
      `nobody-here@${ip}`,
      "true",
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  return / Server host key: \S+ (SHA256:\S+)/.exec(result.stderr)?.[1];
}

const KIND_OF_TYPE: Record<string, string> = {
  "ssh-ed25519": "ED25519",
  "ecdsa-sha2-nistp256": "ECDSA",
  "ecdsa-sha2-nistp384": "ECDSA",
  "ecdsa-sha2-nistp521": "ECDSA",
  "ssh-rsa": "RSA",
  "ssh-dss": "DSA",
};

describe("SSH against the lab", () => {
  const manifest = labManifest();
  const servers = SSH_SERVERS.map((name) => manifest.servers.find((s) => s.name === name)).filter(
    (s): s is ManifestServer => s !== undefined,
  );
  const records = new Map<string, ScanRecord>();
  const recordOf = (name: string): ScanRecord => {
    const record = records.get(name);
    if (!record) throw new Error(`no record for ${name}`);
    return record;
  };

  beforeAll(async () => {
    const found = await scanEndpoints(
      servers.map((s) => ({ ip: s.ip, port: 22, protocol: "ssh" })),
      { replyTimeoutMs: 10_000 },
    );
    for (const [i, record] of found.entries()) records.set(servers[i]?.name ?? "", record);
    if (process.env.SMTPSURVEY_UPDATE_FIXTURES === "1") {
      const dir = join(repoRoot(), "test", "fixtures", "lab", "ssh");
      mkdirSync(dir, { recursive: true });
      for (const [name, record] of records) {
        writeFileSync(join(dir, `${name}-22.json`), `${JSON.stringify(record, null, 2)}\n`);
      }
    }
  }, 120_000);

  it("runs OpenSSH twice and Dropbear", () => {
    expect(servers.map((s) => s.name)).toEqual(SSH_SERVERS);
    expect(servers.map((s) => s.product)).toEqual(["OpenSSH", "OpenSSH", "Dropbear"]);
  });

  it.each(SSH_SERVERS)("%s: a full record, every offered key fetched", (name) => {
    const record = recordOf(name);
    ScanRecordSchema.parse(record);
    expect(record.status, record.error ?? "").toBe("ok");
    expect(record.ssh?.errors).toEqual([]);
    expect(record.ssh?.kex?.kex.length).toBeGreaterThan(0);
    const families = new Set(
      record.ssh?.kex?.host_key.map((a) => (a.startsWith("rsa-sha2") ? "ssh-rsa" : a)),
    );
    expect(new Set(record.ssh?.host_keys.map((k) => k.type))).toEqual(families);
  });

  it.each(SSH_SERVERS)("%s: every key ssh-keyscan sees is ours, same bits and type", (name) => {
    const record = recordOf(name);
    const ours = record.ssh?.host_keys ?? [];
    const scanned = keyscan(record.ip);
    expect(scanned.length).toBeGreaterThan(0);
    for (const key of scanned) {
      const match = ours.find((k) => k.fingerprint_sha256 === key.fingerprint);
      expect(match, `${key.kind} ${key.fingerprint}`).toBeDefined();
      expect(match?.bits).toBe(key.bits);
      expect(KIND_OF_TYPE[match?.type ?? ""]).toBe(key.kind);
    }
    // one key per type from ssh-keyscan; ours differs only by the ECDSA curves it cannot ask for
    const kinds = (list: Array<{ kind: string }>) => new Set(list.map((k) => k.kind));
    expect(kinds(ours.map((k) => ({ kind: KIND_OF_TYPE[k.type] ?? k.type })))).toEqual(kinds(scanned));
  });

  it.each(SSH_SERVERS)("%s: the ssh client sees the same key for every algorithm we used", (name) => {
    const record = recordOf(name);
    for (const key of record.ssh?.host_keys ?? []) {
      expect(sshClientFingerprint(record.ip, key.algorithm), key.algorithm).toBe(key.fingerprint_sha256);
    }
  });

  it("OpenSSH: exactly the lab's five host keys, as ssh-keygen -lf lists the key files", () => {
    const dir = opensshKeysDir(labPaths());
    const files = readdirSync(dir).filter((f) => f.endsWith(".pub"));
    const listed = files.flatMap((f) =>
      parseListing(execFileSync("ssh-keygen", ["-lf", join(dir, f)], { encoding: "utf8" })),
    );
    expect(listed).toHaveLength(5);
    for (const name of ["openssh", "openssh-nobanner"]) {
      const ours = recordOf(name).ssh?.host_keys ?? [];
      expect(new Set(ours.map((k) => `${k.bits} ${k.fingerprint_sha256}`))).toEqual(
        new Set(listed.map((k) => `${k.bits} ${k.fingerprint}`)),
      );
    }
  });

  it("the two sshd share one key set: same spki_sha256 identities, same fingerprints", () => {
    const keys = (name: string) => recordOf(name).ssh?.host_keys ?? [];
    const spki = (name: string) => new Set(keys(name).map((k) => k.spki_sha256));
    expect(spki("openssh").size).toBe(5);
    expect(spki("openssh-nobanner")).toEqual(spki("openssh"));
    expect(keys("openssh-nobanner").map((k) => k.fingerprint_sha256)).toEqual(
      keys("openssh").map((k) => k.fingerprint_sha256),
    );
  });

  it("the banners differ by Debian's suffix only", () => {
    const version = servers[0]?.version ?? "";
    expect(recordOf("openssh").ssh?.banner).toMatch(new RegExp(`^SSH-2\\.0-OpenSSH_${version} Debian-\\S+$`));
    expect(recordOf("openssh-nobanner").ssh?.banner).toBe(`SSH-2.0-OpenSSH_${version}`);
    expect(recordOf("dropbear").ssh?.banner).toBe(`SSH-2.0-dropbear_${servers[2]?.version}`);
  });

  it("Dropbear's RSA host key is the cross-protocol certificate's key (openssl's SPKI hash)", () => {
    const rsa = recordOf("dropbear").ssh?.host_keys.find((k) => k.type === "ssh-rsa");
    const certFile = crossProtocolPaths(labPaths()).certFile;
    const pub = execFileSync("openssl", ["x509", "-pubkey", "-noout", "-in", certFile]);
    const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
    const sha = execFileSync("sha256sum", { input: der }).toString().split(" ")[0];
    expect(rsa?.spki_sha256).toBe(sha);
    expect(rsa?.bits).toBe(2048);
  });

  const dovecot = manifest.servers.find((s) => s.name === "dovecot");
  it.skipIf(!dovecot?.endpoints.some((e) => e.port === 993))(
    "Dropbear's RSA key and Dovecot's TLS key are one identity in smtpsurvey's own records",
    async () => {
      const [imaps] = await scanEndpoints([{ ip: dovecot?.ip ?? "", port: 993, protocol: "imaps" }]);
      const tlsKey = imaps?.tls?.chain[0]?.spki_sha256;
      expect(tlsKey).toMatch(/^[0-9a-f]{64}$/);
      const rsa = recordOf("dropbear").ssh?.host_keys.find((k) => k.type === "ssh-rsa");
      expect(rsa?.spki_sha256).toBe(tlsKey);
    },
  );
});
