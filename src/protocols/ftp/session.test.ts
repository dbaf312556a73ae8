import { describe, expect, it } from "vitest";
import { ScriptChannel, scriptContext } from "../../../test/support/script-channel.js";
import { extractFeatures } from "../../fingerprint/features.js";
import { blankRecord } from "../record.js";
import { ftpDescription } from "./description.js";
import { runFtpSession } from "./session.js";

const TLS_OK = { version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chainDer: [], error: null };

describe("the FTP session", () => {
  it("asks FEAT and SYST, upgrades with AUTH TLS when FEAT offers it, asks FEAT again, says QUIT", async () => {
    const channel = new ScriptChannel(
      [
        "220 ProFTPD Server (proftpd.lab.smtpsurvey.test) [127.77.3.8]",
        "211-Features:",
        " AUTH TLS",
        " MDTM",
        " UTF8",
        "211 End",
        "215 UNIX Type: L8",
        "234 AUTH TLS successful",
        "211-Features:",
        " PBSZ",
        " PROT",
        "211 End",
        "221 Goodbye.",
      ],
      TLS_OK,
      "127.0.0.1",
      21,
    );
    const outcome = await runFtpSession(scriptContext(channel));
    expect(channel.written).toEqual(["FEAT", "SYST", "AUTH TLS", "FEAT", "QUIT"]);
    expect(outcome.status).toBe("ok");
    expect(outcome.fields.ftp).toEqual({
      greeting: "220 ProFTPD Server (proftpd.lab.smtpsurvey.test) [127.77.3.8]",
      features: ["AUTH TLS", "MDTM", "UTF8"],
      syst: "215 UNIX Type: L8",
      auth_tls: "234 AUTH TLS successful",
      features_tls: ["PBSZ", "PROT"],
    });
    expect(outcome.fields.tls?.implicit).toBe(false);
  });

  it("keeps a multi-line greeting whole, FEAT null when refused, and never sends AUTH TLS unasked", async () => {
    const channel = new ScriptChannel([
      "220---------- Welcome to Pure-FTPd [privsep] ----------",
      "You are user number 1 of 50 allowed.",
      "220 This is a private system - No anonymous login",
      "500 FEAT not understood",
      "530 Please login with USER and PASS",
      "221 Bye",
    ]);
    const outcome = await runFtpSession(scriptContext(channel));
    expect(channel.written).toEqual(["FEAT", "SYST", "QUIT"]);
    expect(outcome.fields.ftp?.greeting?.split("\n")).toHaveLength(3);
    expect(outcome.fields.ftp?.features).toBeNull();
    expect(outcome.fields.ftp?.syst).toBe("530 Please login with USER and PASS");
  });

  it("calls a 421 greeting rejected, and a non-FTP greeting a protocol error", async () => {
    const busy = await runFtpSession(scriptContext(new ScriptChannel(["421 Too many users"])));
    expect(busy.status).toBe("rejected");
    expect(busy.fields.ftp?.greeting).toBe("421 Too many users");
    const ssh = await runFtpSession(scriptContext(new ScriptChannel(["SSH-2.0-OpenSSH_9.2p1"])));
    expect(ssh.status).toBe("protocol-error");
  });

  it("gives identification its greeting (masked), FEAT keywords, SYST and the product word", () => {
    const record = {
      ...blankRecord({ ip: "192.0.2.1", port: 21, protocol: "ftp", status: "ok", started_at: "" }),
      ftp: {
        greeting: "220 (vsFTPd 3.0.3)",
        features: ["EPRT", "REST STREAM"],
        syst: "215 UNIX Type: L8",
        auth_tls: null,
        features_tls: null,
      },
    };
    const features = extractFeatures(record);
    expect(features.get("ftp.greeting")).toBe("220 (vsFTPd 3.0.3)");
    expect(features.get("ftp.features")).toBe("EPRT REST");
    expect(features.get("ftp.syst")).toBe("215 UNIX Type: L8");
    expect(features.get("hint")).toBe("vsFTPd");
    expect(ftpDescription.upgradeOffered?.(record)).toBe(false);
  });
});
