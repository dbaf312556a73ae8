/**
 * TLS on every mail port, against the lab's real servers: Dovecot (IMAP, POP3, submission, with
 * STARTTLS/STLS and implicit TLS), nginx (HTTP, HTTPS) and Postfix (25, 587, 465). Every TLS
 * endpoint's spki_sha256 is checked against openssl's own reading of the certificate; nginx and
 * Postfix share one key, Dovecot has another. With SMTPSURVEY_UPDATE_FIXTURES=1 the IMAP, POP3
 * and HTTP records become golden fixtures (grab-lab.test.ts writes the SMTP ones).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DNS_IP } from "../../lab/dns.js";
import { repoRoot } from "../../src/core/paths.js";
import { type ScanRecord, ScanRecordSchema } from "../../src/store/schema.js";
import { runCli } from "../support/cli.js";
import { labManifest } from "../support/lab.js";
import { scanEndpoints } from "../support/scan.js";

const WANTED: Record<string, number[]> = {
  dovecot: [110, 143, 465, 587, 993, 995],
  nginx: [80, 443],
  postfix: [25, 587, 465],
};

/** How openssl s_client has to start TLS on each protocol (implicit TLS needs nothing). */
const STARTTLS_FLAG: Record<string, string | undefined> = { smtp: "smtp", imap: "imap", pop3: "pop3" };

/** openssl's SPKI hash of the certificate an endpoint serves: the issue's reference pipeline. */
function opensslSpkiSha256(ip: string, port: number, protocol: string): string {
  const starttls = STARTTLS_FLAG[protocol];
  const script = [
    `openssl s_client -connect ${ip}:${port}${starttls ? ` -starttls ${starttls}` : ""} </dev/null 2>/dev/null`,
    "openssl x509 -pubkey -noout",
    "openssl pkey -pubin -outform der",
    "sha256sum",
  ].join(" | ");
  return execFileSync("bash", ["-o", "pipefail", "-c", script], { encoding: "utf8", timeout: 30_000 }).split(
    " ",
  )[0] as string;
}

describe("mail ports of the lab: IMAP, POP3, HTTP(S), SMTP(S) with TLS", () => {
  const manifest = labManifest();
  const endpoints = manifest.servers.flatMap((server) =>
    server.endpoints
      .filter((e) => WANTED[server.name]?.includes(e.port))
      .map((e) => ({ server: server.name, ip: server.ip, port: e.port, protocol: e.protocol })),
  );
  const records = new Map<string, ScanRecord>();
  const key = (server: string, port: number) => `${server}:${port}`;
  const record = (server: string, port: number): ScanRecord => {
    const found = records.get(key(server, port));
    if (!found) throw new Error(`no record for ${key(server, port)}`);
    return found;
  };

  beforeAll(async () => {
    const found = await scanEndpoints(endpoints, { replyTimeoutMs: 20_000 });
    found.forEach((r, i) => {
      const endpoint = endpoints[i];
      if (endpoint) records.set(key(endpoint.server, endpoint.port), r);
    });
    if (process.env.SMTPSURVEY_UPDATE_FIXTURES === "1") {
      const dir = join(repoRoot(), "test", "fixtures", "lab");
      mkdirSync(dir, { recursive: true });
      for (const [name, r] of records) {
        if (r.protocol === "smtp" || r.protocol === "smtps") continue;
        writeFileSync(join(dir, `${name.replace(":", "-")}.json`), `${JSON.stringify(r, null, 2)}\n`);
      }
    }
  }, 180_000);

  it("runs Dovecot, nginx and Postfix with every wanted port", () => {
    for (const [server, ports] of Object.entries(WANTED)) {
      for (const port of ports)
        expect(endpoints.map((e) => key(e.server, e.port))).toContain(key(server, port));
    }
  });

  it("gets a full, valid record from every endpoint", () => {
    for (const e of endpoints) {
      const r = record(e.server, e.port);
      ScanRecordSchema.parse(r);
      expect(r.status, `${key(e.server, e.port)}: ${r.error}`).toBe("ok");
      expect(r.protocol).toBe(e.protocol);
    }
  });

  it("records IMAP capabilities before and after STARTTLS (143) and inside TLS (993)", () => {
    const imap = record("dovecot", 143).imap;
    expect(imap?.greeting).toMatch(/^\* OK .*Dovecot/);
    expect(imap?.capabilities).toEqual(expect.arrayContaining(["IMAP4rev1", "STARTTLS", "LOGINDISABLED"]));
    expect(imap?.starttls).toMatch(/^a\d+ OK/);
    expect(imap?.capabilities_tls).toEqual(expect.arrayContaining(["IMAP4rev1", "AUTH=PLAIN"]));
    expect(imap?.capabilities_tls).not.toContain("STARTTLS");
    expect(imap?.capabilities_tls).not.toContain("LOGINDISABLED");
    expect(record("dovecot", 143).tls?.implicit).toBe(false);

    const imaps = record("dovecot", 993);
    expect(imaps.tls?.implicit).toBe(true);
    expect(imaps.imap?.capabilities).toEqual(expect.arrayContaining(["IMAP4rev1", "AUTH=PLAIN"]));
    expect(imaps.imap?.starttls).toBeNull();
  });

  it("records POP3 capabilities before and after STLS (110) and inside TLS (995)", () => {
    const pop3 = record("dovecot", 110).pop3;
    expect(pop3?.greeting).toMatch(/^\+OK .*Dovecot/);
    expect(pop3?.capabilities).toEqual(expect.arrayContaining(["STLS", "UIDL"]));
    expect(pop3?.capabilities).not.toContain("USER");
    expect(pop3?.stls).toMatch(/^\+OK/);
    expect(pop3?.capabilities_tls).toEqual(expect.arrayContaining(["USER", "SASL PLAIN"]));
    expect(pop3?.capabilities_tls).not.toContain("STLS");

    const pop3s = record("dovecot", 995);
    expect(pop3s.tls?.implicit).toBe(true);
    expect(pop3s.pop3?.capabilities).toEqual(expect.arrayContaining(["USER", "SASL PLAIN"]));
  });

  it("records the HTTP status line and Server header on 80 and inside TLS on 443", () => {
    for (const port of [80, 443]) {
      const http = record("nginx", port).http;
      expect(http?.status_line).toMatch(/^HTTP\/1\.1 200/);
      expect(http?.server).toMatch(/^nginx\/\d/);
    }
    expect(record("nginx", 80).tls).toBeNull();
    expect(record("nginx", 443).tls?.implicit).toBe(true);
  });

  it("has every TLS endpoint's spki_sha256 equal to openssl's", () => {
    const tlsEndpoints = endpoints.filter((e) => e.port !== 80);
    for (const e of tlsEndpoints) {
      const tls = record(e.server, e.port).tls;
      expect(tls?.error, key(e.server, e.port)).toBeNull();
      expect(tls?.chain[0]?.spki_sha256, key(e.server, e.port)).toBe(
        opensslSpkiSha256(e.ip, e.port, e.protocol),
      );
    }
  });

  it("shows one key behind nginx:443 and Postfix 25/587/465, and another behind Dovecot", () => {
    const spki = (server: string, port: number) => record(server, port).tls?.chain[0]?.spki_sha256;
    const shared = spki("nginx", 443);
    expect(shared).toMatch(/^[0-9a-f]{64}$/);
    for (const port of [25, 587, 465]) expect(spki("postfix", port)).toBe(shared);
    const dovecot = spki("dovecot", 143);
    expect(dovecot).toMatch(/^[0-9a-f]{64}$/);
    expect(dovecot).not.toBe(shared);
    for (const port of WANTED.dovecot ?? []) expect(spki("dovecot", port)).toBe(dovecot);
    // the key is the same; the certificates are not even for the same name
    expect(record("nginx", 443).tls?.chain[0]?.subject).toBe("CN=postfix.lab.smtpsurvey.test");
  });

  it("matches the leaf's names against the PTR and the announced name", () => {
    // Postfix: SAN postfix.lab…, PTR and EHLO name postfix.lab…
    expect(record("postfix", 25).tls?.names).toEqual({
      ptr: "postfix.lab.smtpsurvey.test",
      ptr_match: true,
      server_name: "postfix.lab.smtpsurvey.test",
      server_name_match: true,
    });
    // nginx serves Postfix's certificate: its own PTR does not match; HTTP announces no name
    expect(record("nginx", 443).tls?.names).toEqual({
      ptr: "nginx.lab.smtpsurvey.test",
      ptr_match: false,
      server_name: null,
      server_name_match: null,
    });
    // Dovecot: the cross-protocol certificate; IMAP's greeting names no host, submission's EHLO does
    expect(record("dovecot", 993).tls?.names).toMatchObject({ ptr_match: true, server_name: null });
    expect(record("dovecot", 587).tls?.names).toMatchObject({
      server_name: "dovecot.lab.smtpsurvey.test",
      server_name_match: true,
    });
  });

  it("never logs in: no LOGIN, AUTHENTICATE, USER, PASS or AUTH on the wire", () => {
    for (const r of records.values()) {
      const sent = r.transcript.filter((t) => t.dir === "C").map((t) => t.data);
      expect(
        sent.filter((line) => /^(a\d+ )?(LOGIN|AUTHENTICATE|USER|PASS|AUTH|APOP)\b/i.test(line)),
      ).toEqual([]);
    }
  });

  it("grab -p 22,25,110,143,443,465,587,993,995 gives one record per (ip, port)", async () => {
    const ips = ["127.77.4.1", "127.77.5.1", "127.77.1.1"];
    const ports = [22, 25, 110, 143, 443, 465, 587, 993, 995];
    const out = join(mkdtempSync(join(tmpdir(), "smtpsurvey-mail-ports-")), "grab.jsonl");
    const result = await runCli([
      "grab",
      ...ips,
      "-p",
      ports.join(","),
      "--scope",
      "127.77.0.0/16",
      "--resolver",
      DNS_IP,
      "-o",
      out,
      "--quiet",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const got = readFileSync(out, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => ScanRecordSchema.parse(JSON.parse(line)));
    expect(got).toHaveLength(ips.length * ports.length);
    expect(new Set(got.map((r) => `${r.ip}:${r.port}`)).size).toBe(got.length);
    for (const r of got) {
      const listed = manifest.servers.find((s) => s.ip === r.ip)?.endpoints.find((e) => e.port === r.port);
      if (!listed) {
        expect(r.status, `${r.ip}:${r.port}`).toBe("refused");
        continue;
      }
      expect(r.protocol, `${r.ip}:${r.port}`).toBe(listed.protocol);
      expect(r.status, `${r.ip}:${r.port}: ${r.error}`).toBe("ok");
    }
  }, 120_000);
});
