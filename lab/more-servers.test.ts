/**
 * The lab's further real servers (issue 11, item 7): Python's smtpd and Twisted Mail (SMTP),
 * GNU Mailutils (IMAP and POP3, plain and TLS), lighttpd and Apache (HTTP), TinySSH, AsyncSSH,
 * Paramiko and ProFTPD mod_sftp (SSH). Each gives
 * a full record that names (or, for Twisted, shows) what runs there; nobody can log in. With
 * SMTPSURVEY_UPDATE_FIXTURES=1 the records become golden fixtures in test/fixtures/lab/ (SSH ones
 * in test/fixtures/lab/ssh/), named <server>-<port>.json like the others.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/core/paths.js";
import { type ScanRecord, ScanRecordSchema } from "../src/store/schema.js";
import { scanEndpoints } from "../test/support/scan.js";
import { installLab, type LabManifest, labStatusRows, startLab, stopLab } from "./manager.js";
import { isRoot } from "./run.js";

const MINE = [
  "python-smtpd",
  "twisted-mail",
  "mailutils",
  "lighttpd",
  "apache",
  "tinyssh",
  "asyncssh",
  "paramiko",
  "proftpd-sftp",
];

describe.skipIf(!isRoot())("the lab's further servers", () => {
  let manifest: LabManifest;
  let runningBefore: string[] = [];
  const records = new Map<string, ScanRecord>();
  const record = (name: string, port: number): ScanRecord => {
    const found = records.get(`${name}-${port}`);
    if (!found) throw new Error(`no record for ${name}:${port}`);
    return found;
  };

  beforeAll(async () => {
    runningBefore = labStatusRows()
      .filter((row) => MINE.includes(row.name) && row.state === "running")
      .map((row) => row.name);
    await installLab({ only: MINE });
    manifest = await startLab({ only: MINE });
    const endpoints = manifest.servers
      .filter((s) => MINE.includes(s.name))
      .flatMap((s) =>
        s.endpoints.map((e) => ({ name: s.name, ip: s.ip, port: e.port, protocol: e.protocol })),
      );
    const smtp = endpoints.filter((e) => e.protocol === "smtp");
    const others = endpoints.filter((e) => e.protocol !== "smtp");
    const found = [
      ...(await scanEndpoints(smtp, { probes: ["bare-ehlo"], replyTimeoutMs: 20_000 })),
      ...(await scanEndpoints(others, { replyTimeoutMs: 20_000 })),
    ];
    for (const r of found) {
      const e = endpoints.find((x) => x.ip === r.ip && x.port === r.port);
      if (e) records.set(`${e.name}-${e.port}`, r);
    }
    if (process.env.SMTPSURVEY_UPDATE_FIXTURES === "1") {
      const dir = join(repoRoot(), "test", "fixtures", "lab");
      mkdirSync(join(dir, "ssh"), { recursive: true });
      for (const [key, r] of records) {
        const file = r.protocol === "ssh" ? join(dir, "ssh", `${key}.json`) : join(dir, `${key}.json`);
        writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
      }
    }
  }, 600_000);

  afterAll(async () => {
    const startedHere = MINE.filter((name) => !runningBefore.includes(name));
    if (startedHere.length > 0) await stopLab({ only: startedHere });
  }, 120_000);

  it("starts every one of them, skipping none", () => {
    expect(manifest.skipped.filter((s) => MINE.includes(s.name))).toEqual([]);
    expect(manifest.servers.filter((s) => MINE.includes(s.name)).map((s) => s.name)).toEqual(MINE);
    for (const s of manifest.servers.filter((x) => MINE.includes(x.name))) {
      expect(s.ip).toMatch(/^127\.77\.\d+\.\d+$/);
      expect(s.version).toMatch(/^\d+(\.\d+)*$/);
    }
  });

  it("has a valid, complete record for every endpoint", () => {
    expect(records.size).toBe(2 + 4 + 2 + 4);
    for (const [key, r] of records) {
      ScanRecordSchema.parse(r);
      expect(r.status, `${key}: ${r.error}`).toBe("ok");
    }
  });

  it("Python smtpd: its module's greeting, EHLO without SIZE or STARTTLS, its own HELP", () => {
    const smtp = record("python-smtpd", 25).smtp;
    expect(smtp?.banner).toMatch(/^220 \S+ Python SMTP proxy version 0\.3$/);
    expect(smtp?.ehlo?.slice(1)).toEqual(["8BITMIME", "HELP"]);
    expect(smtp?.help?.lines).toEqual(["Supported commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY"]);
    expect(smtp?.quit?.code).toBe(221);
    expect(smtp?.starttls).toBeNull();
  });

  it("Twisted Mail: a greeting without its name, AUTH CRAM-MD5 only, no HELP", () => {
    const smtp = record("twisted-mail", 25).smtp;
    expect(smtp?.banner).toBe("220 twisted-mail.lab.smtpsurvey.test NO UCE NO UBE NO RELAY PROBES ESMTP");
    expect(smtp?.ehlo?.slice(1)).toEqual(["AUTH CRAM-MD5"]);
    expect(smtp?.help?.code).toBe(500);
    expect(smtp?.quit?.raw).toBe("221 See you later\r\n");
  });

  it("GNU Mailutils: IMAP and POP3 with STARTTLS/STLS and implicit TLS", () => {
    expect(record("mailutils", 143).imap?.greeting).toBe("* OK IMAP4rev1");
    expect(record("mailutils", 143).imap?.capabilities).toEqual(
      expect.arrayContaining(["IMAP4rev1", "STARTTLS"]),
    );
    expect(record("mailutils", 143).tls?.error ?? null).toBeNull();
    expect(record("mailutils", 993).tls?.implicit).toBe(true);
    expect(record("mailutils", 110).pop3?.greeting).toMatch(/^\+OK POP3 Ready <\d+\.\d+@\S+>$/);
    expect(record("mailutils", 110).pop3?.capabilities).toEqual(expect.arrayContaining(["STLS", "USER"]));
    expect(record("mailutils", 995).tls?.implicit).toBe(true);
  });

  it("SSH: each names itself and its version; every offered host key is fetched", () => {
    const tinyssh = manifest.servers.find((s) => s.name === "tinyssh");
    expect(record("tinyssh", 22).ssh?.banner).toMatch(
      new RegExp(`^SSH-2\\.0-tinyssh_${tinyssh?.version}\\S* \\S+$`),
    );
    expect(record("asyncssh", 22).ssh?.banner).toMatch(/^SSH-2\.0-AsyncSSH_\d+\.\d+\.\d+$/);
    expect(record("paramiko", 22).ssh?.banner).toMatch(/^SSH-2\.0-paramiko_\d+\.\d+\.\d+$/);
    expect(record("proftpd-sftp", 22).ssh?.banner).toBe("SSH-2.0-mod_sftp");
    for (const name of ["tinyssh", "asyncssh", "paramiko", "proftpd-sftp"]) {
      const ssh = record(name, 22).ssh;
      // AsyncSSH also offers ssh.com's RSA-SHA2 names (ssh-rsa-sha256@ssh.com …), which ssh2 cannot ask for
      const unexpected = ssh?.errors.filter(
        (e) => !(name === "asyncssh" && /^ssh-rsa-sha\d+@ssh\.com$/.test(e.algorithm)),
      );
      expect(unexpected, name).toEqual([]);
      expect(ssh?.host_keys.length, name).toBeGreaterThan(0);
    }
  });

  it("HTTP: lighttpd and Apache name themselves in the Server header", () => {
    expect(record("lighttpd", 80).http?.server).toMatch(/^lighttpd\/1\.4\.\d+$/);
    expect(record("apache", 80).http?.server).toMatch(/^Apache\/2\.4\.\d+ \(Debian\)$/);
    for (const name of ["lighttpd", "apache"])
      expect(record(name, 80).http?.status_line).toMatch(/^HTTP\/1\.1 200/);
  });

  it("never logs in: no LOGIN, AUTHENTICATE, USER, PASS or AUTH on the wire", () => {
    for (const r of records.values()) {
      const sent = r.transcript.filter((t) => t.dir === "C").map((t) => t.data);
      expect(
        sent.filter((line) => /^(a\d+ )?(LOGIN|AUTHENTICATE|USER|PASS|AUTH|APOP)\b/i.test(line)),
      ).toEqual([]);
    }
  });
});
