/**
 * `grab` against the lab's real mail servers: a full record for every server (banner, EHLO,
 * HELP, the TLS chain where STARTTLS works, tls.error where it breaks). With
 * SMTPSURVEY_UPDATE_FIXTURES=1 the records become the golden fixtures in test/fixtures/lab.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/core/paths.js";
import type { ScanRecord } from "../../src/store/schema.js";
import { ScanRecordSchema } from "../../src/store/schema.js";
import { labManifest, labSmtpEndpoints, REQUIRED_LAB_SERVERS } from "../support/lab.js";
import { scanEndpoints } from "../support/scan.js";

const PRODUCT_WORDS: Record<string, RegExp> = {
  postfix: /postfix/i,
  exim: /exim/i,
  sendmail: /sendmail/i,
  qpsmtpd: /qpsmtpd/i,
  aiosmtpd: /Python SMTP/i,
  chasquid: /chasquid/i,
};

describe("grab against the lab", () => {
  const records = new Map<string, ScanRecord>();
  const endpoints = labSmtpEndpoints();

  beforeAll(async () => {
    const found = await scanEndpoints(endpoints, { probes: ["bare-ehlo"], replyTimeoutMs: 20_000 });
    for (const [i, record] of found.entries()) {
      const endpoint = endpoints[i];
      if (endpoint) records.set(`${endpoint.server.name}:${endpoint.port}`, record);
    }
    if (process.env.SMTPSURVEY_UPDATE_FIXTURES === "1") {
      const dir = join(repoRoot(), "test", "fixtures", "lab");
      mkdirSync(dir, { recursive: true });
      for (const [key, record] of records) {
        writeFileSync(join(dir, `${key.replace(":", "-")}.json`), `${JSON.stringify(record, null, 2)}\n`);
      }
    }
  }, 180_000);

  it("runs every server the foundation needs", () => {
    const running = labManifest().servers.map((s) => s.name);
    expect(running).toEqual(expect.arrayContaining(REQUIRED_LAB_SERVERS));
  });

  it.each(endpoints.map((e) => [`${e.server.name}:${e.port}`, e] as const))(
    "%s gives a full record",
    (key, endpoint) => {
      const record = records.get(key);
      expect(record).toBeDefined();
      if (!record) return;
      ScanRecordSchema.parse(record);
      expect(record.status, record.error ?? "").toBe("ok");
      const smtp = record.smtp;
      expect(smtp?.banner).toMatch(/^220[ -]/);
      expect(smtp?.ehlo?.length).toBeGreaterThan(1);
      expect(smtp?.help).not.toBeNull();
      // QUIT ends every session still open (a failed TLS handshake leaves none to end).
      if (!record.tls?.error) expect(smtp?.quit?.code).toBe(221);
      expect(smtp?.probes[0]).toMatchObject({
        name: "bare-ehlo",
        ended: expect.stringMatching(/complete|errors/),
      });

      // The product's name outside the host name the banner starts with.
      const word = PRODUCT_WORDS[endpoint.server.name.replace(/-stripped$/, "")];
      const words = smtp?.banner?.replace(endpoint.server.hostname, "") ?? "";
      if (word && endpoint.server.banner_stripped) expect(words).not.toMatch(word);
      if (word && !endpoint.server.banner_stripped) expect(words).toMatch(word);

      // Every lab server but aiosmtpd (no STARTTLS by default; manifest `starttls: false`)
      // advertises STARTTLS on 25/587 (on 465 TLS comes first): the chain is always there; the
      // handshake works everywhere but OpenSMTPD (Debian 12's build fails after sending its
      // certificate).
      if (endpoint.protocol === "smtps") {
        expect(record.tls?.implicit).toBe(true);
        expect(smtp?.starttls).toBeNull();
      } else if (endpoint.server.starttls === false) {
        expect(smtp?.ehlo?.some((l) => /^STARTTLS\b/i.test(l))).toBe(false);
        expect(smtp?.starttls).toBeNull();
        expect(record.tls).toBeNull();
        return;
      } else {
        expect(smtp?.ehlo?.some((l) => /^STARTTLS\b/i.test(l))).toBe(true);
        expect(smtp?.starttls?.code).toBe(220);
      }
      expect(record.tls).not.toBeNull();
      if (endpoint.server.name === "opensmtpd") {
        expect(record.tls?.error).toBeTruthy();
      } else {
        expect(record.tls?.error, record.tls?.error ?? "").toBeNull();
        expect(record.tls?.version).toMatch(/^TLSv1/);
        expect(record.tls?.chain.length).toBeGreaterThan(0);
        expect(record.tls?.chain[0]?.spki_sha256).toMatch(/^[0-9a-f]{64}$/);
        if (endpoint.protocol === "smtp") expect(smtp?.ehlo_tls?.length).toBeGreaterThan(1);
      }
    },
  );
});
