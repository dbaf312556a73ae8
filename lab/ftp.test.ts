/**
 * The lab's FTP server (ProFTPD 1.3.8, lab/servers/proftpd-ftp.ts): a real control-connection
 * session, AUTH TLS included, and the product named from it by the trained model. Nobody can log
 * in, and the session never tries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identifyRecord } from "../src/fingerprint/identify.js";
import { loadModel } from "../src/fingerprint/model.js";
import { type ScanRecord, ScanRecordSchema } from "../src/store/schema.js";
import { scanEndpoints } from "../test/support/scan.js";
import { installLab, labStatusRows, startLab, stopLab } from "./manager.js";
import { isRoot } from "./run.js";

const MINE = ["proftpd"];

describe.skipIf(!isRoot())("FTP against the lab's ProFTPD", () => {
  let runningBefore = false;
  let record: ScanRecord;

  beforeAll(async () => {
    runningBefore = labStatusRows().some((row) => row.name === "proftpd" && row.state === "running");
    await installLab({ only: MINE });
    const manifest = await startLab({ only: MINE });
    const server = manifest.servers.find((s) => s.name === "proftpd");
    if (!server) throw new Error(`proftpd did not start: ${JSON.stringify(manifest.skipped)}`);
    const [found] = await scanEndpoints([{ ip: server.ip, port: 21, protocol: "ftp" }], {
      replyTimeoutMs: 20_000,
    });
    if (!found) throw new Error("no record");
    record = ScanRecordSchema.parse(found);
  }, 600_000);

  afterAll(async () => {
    if (!runningBefore) await stopLab({ only: MINE });
  }, 120_000);

  it("reads the greeting, FEAT and SYST, upgrades with AUTH TLS, and says QUIT", () => {
    expect(record.status, record.error ?? "").toBe("ok");
    expect(record.ftp?.greeting).toMatch(/^220 ProFTPD Server \(proftpd\.lab\.smtpsurvey\.test\)/);
    expect(record.ftp?.features).toContain("AUTH TLS");
    expect(record.ftp?.syst).toBe("215 UNIX Type: L8");
    expect(record.ftp?.auth_tls).toMatch(/^234 /);
    expect(record.ftp?.features_tls).toEqual(expect.any(Array));
    expect(record.tls).toMatchObject({ implicit: false, error: null });
    expect(record.tls?.chain[0]?.subject).toContain("proftpd.lab.smtpsurvey.test");
    const sent = record.transcript.filter((t) => t.dir === "C").map((t) => t.data);
    expect(sent).toEqual(["FEAT", "SYST", "AUTH TLS", "FEAT", "QUIT"]);
  });

  it("is named ProFTPD by the trained model", () => {
    const software = identifyRecord(loadModel(), record);
    expect(software?.product).toBe("ProFTPD");
    expect(software?.confidence).toBeGreaterThan(0.5);
  });
});
