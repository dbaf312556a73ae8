/**
 * masscan's own output (test/fixtures/interop/masscan: real masscan 1.3.2 --banners runs, in a
 * network namespace, against the lab's daemons; README there) imported as records.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clustersOf } from "../../src/analysis/clusters.js";
import { importRecords } from "../../src/interop/import-records.js";
import type { ScanRecord } from "../../src/protocols/record.js";
import { readRecords } from "../../src/store/read-records.js";

const FIXTURES = "test/fixtures/interop/masscan";
const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-masscan-"));

async function imported(file: string): Promise<Map<string, ScanRecord>> {
  const output = join(dir, `${file}.jsonl`);
  await importRecords({ format: "masscan", files: [join(FIXTURES, file)], output, scanDate: null });
  const records = new Map<string, ScanRecord>();
  for await (const record of readRecords(output)) records.set(`${record.ip}:${record.port}`, record);
  return records;
}

describe.each(["banners.json", "banners.list"])("masscan %s", (file) => {
  it("makes one record per endpoint, marked as masscan's, with masscan's time", async () => {
    const records = await imported(file);
    const opened = new Set(
      readFileSync(join(FIXTURES, file), "utf8")
        .split("\n")
        .flatMap((line) => {
          const list = /^open tcp (\d+) (\S+) /.exec(line);
          if (list) return [`${list[2]}:${list[1]}`];
          const json = /"ip": "([^"]+)".*"port": (\d+), "proto": "tcp", "status": "open"/.exec(line);
          return json ? [`${json[1]}:${json[2]}`] : [];
        }),
    );
    expect(new Set(records.keys())).toEqual(opened);
    for (const record of records.values()) {
      expect(record.source).toBe("masscan");
      expect(record.started_at).toMatch(/^2026-12-04T/);
      expect(record.duration_ms).toBeNull();
      expect(record.transcript).toEqual([]);
    }
  });

  it("reads SMTP's greeting, EHLO and STARTTLS replies, and the certificate", async () => {
    const postfix = (await imported(file)).get("10.77.1.1:25") as ScanRecord;
    expect(postfix.protocol).toBe("smtp");
    expect(postfix.status).toBe("ok");
    expect(postfix.smtp?.banner).toBe("220 postfix.lab.smtpsurvey.test ESMTP Postfix (Debian/GNU)");
    expect(postfix.smtp?.ehlo?.[0]).toBe("postfix.lab.smtpsurvey.test");
    expect(postfix.smtp?.ehlo).toContain("STARTTLS");
    expect(postfix.smtp?.starttls?.code).toBe(220);
    expect(postfix.smtp?.help).toBeNull(); // masscan sends no HELP
    expect(postfix.tls?.chain[0]?.subject).toBe("CN=postfix.lab.smtpsurvey.test");
    expect(postfix.tls?.version).toBe("TLSv1.1");
    expect(postfix.tls?.cipher).toBe("0xc014"); // masscan keeps the cipher's code, not its name
    expect(postfix.tls?.names?.server_name_match).toBe(true);
  });

  it("takes an SMTP greeting that masscan's FTP parser claimed, and nothing after it", async () => {
    const record = (await imported(file)).get("10.77.1.1:2525") as ScanRecord;
    expect(record.protocol).toBe("smtp");
    expect(record.smtp?.replies.greeting?.code).toBe(220);
    expect(record.smtp?.replies.ehlo).toBeUndefined();
  });

  it("reads POP3's CAPA list and STLS reply, SSH's identification, HTTP's head", async () => {
    const records = await imported(file);
    const dovecot = records.get("10.77.4.1:110") as ScanRecord;
    expect(dovecot.pop3?.greeting).toBe("+OK Dovecot (Debian) ready.");
    expect(dovecot.pop3?.capabilities).toContain("STLS");
    expect(dovecot.pop3?.stls).toBe("+OK Begin TLS negotiation now.");
    expect(records.get("10.77.3.3:22")?.ssh?.banner).toBe("SSH-2.0-dropbear_2022.83");
    const http = records.get("10.77.5.11:80")?.http;
    expect(http?.status).toBe(200);
    expect(http?.server).toBe("nginx/1.22.1");
    // masscan's \xNN escapes undone, UTF-8 and all
    expect(http?.headers).toContainEqual(["X-Fixture", `café\t<b> & 'single' "double" back\\slash`]);
  });

  it("keeps a TLS alert as the handshake's error and an open port without a banner as unclassified", async () => {
    const records = await imported(file);
    expect(records.get("10.77.5.1:443")?.tls?.error).toMatch(/alert 0x0246/);
    const silent = [...records.values()].filter((r) => r.status === "unclassified");
    for (const record of silent) expect(record.error).toMatch(/no banner/);
  });

  it("finds Postfix's one key on its TLS ports as a cluster", async () => {
    const records = await imported(file);
    const clusters = await clustersOf(records.values());
    const postfix = clusters.find((c) => c.members.some((m) => m.ip === "10.77.1.1"));
    expect(postfix?.members.map((m) => `${m.ip}:${m.port}`)).toEqual(
      expect.arrayContaining(["10.77.1.1:25", "10.77.1.1:587", "10.77.1.1:465"]),
    );
  });
});
