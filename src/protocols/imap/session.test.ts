import { describe, expect, it } from "vitest";
import { ScriptChannel, scriptContext } from "../../../test/support/script-channel.js";
import { runImapSession } from "./session.js";

const GREETING = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.";
const TLS_OK = { version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chainDer: [], error: null };

describe("the IMAP session", () => {
  it("asks CAPABILITY before and after STARTTLS, then says LOGOUT", async () => {
    const channel = new ScriptChannel(
      [
        GREETING,
        "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED",
        "a1 OK Pre-login capabilities listed, post-login capabilities have more.",
        "a2 OK Begin TLS negotiation now.",
        "* CAPABILITY IMAP4rev1 AUTH=PLAIN",
        "a3 OK Pre-login capabilities listed, post-login capabilities have more.",
        "* BYE Logging out",
        "a4 OK Logout completed.",
      ],
      TLS_OK,
    );
    const outcome = await runImapSession(scriptContext(channel), false);
    expect(channel.written).toEqual(["a1 CAPABILITY", "a2 STARTTLS", "a3 CAPABILITY", "a4 LOGOUT"]);
    expect(outcome.status).toBe("ok");
    expect(outcome.fields.imap).toEqual({
      greeting: GREETING,
      capabilities: ["IMAP4rev1", "STARTTLS", "LOGINDISABLED"],
      starttls: "a2 OK Begin TLS negotiation now.",
      capabilities_tls: ["IMAP4rev1", "AUTH=PLAIN"],
    });
    expect(outcome.fields.tls).toMatchObject({ implicit: false, version: "TLSv1.3", error: null });
  });

  it("records a refused STARTTLS in tls.error and still logs out", async () => {
    const channel = new ScriptChannel([
      GREETING,
      "* CAPABILITY IMAP4rev1 STARTTLS",
      "a1 OK done",
      "a2 NO TLS not available",
      "a3 OK bye",
    ]);
    const outcome = await runImapSession(scriptContext(channel), false);
    expect(outcome.status).toBe("ok");
    expect(outcome.fields.imap?.starttls).toBe("a2 NO TLS not available");
    expect(outcome.fields.tls).toMatchObject({ error: "STARTTLS refused: NO", chain: [] });
    expect(channel.written.at(-1)).toBe("a3 LOGOUT");
  });

  it("does not STARTTLS when not advertised, after PREAUTH, or with --starttls never", async () => {
    const plain = ["* OK ready", "* CAPABILITY IMAP4rev1", "a1 OK done", "a2 OK bye"];
    for (const [lines, options] of [
      [plain, {}],
      [["* PREAUTH ready", "* CAPABILITY IMAP4rev1 STARTTLS", "a1 OK done", "a2 OK bye"], {}],
      [["* OK ready", "* CAPABILITY IMAP4rev1 STARTTLS", "a1 OK done", "a2 OK bye"], { starttls: "never" }],
    ] as const) {
      const channel = new ScriptChannel(lines);
      const outcome = await runImapSession(scriptContext(channel, options), false);
      expect(outcome.status).toBe("ok");
      expect(channel.written).toEqual(["a1 CAPABILITY", "a2 LOGOUT"]);
      expect(outcome.fields.tls).toBeNull();
    }
  });

  it("runs the same dialogue inside implicit TLS, capabilities in `capabilities`", async () => {
    const channel = new ScriptChannel(
      ["* OK ready", "* CAPABILITY IMAP4rev1 AUTH=PLAIN", "a1 OK", "a2 OK"],
      TLS_OK,
    );
    const outcome = await runImapSession(scriptContext(channel), true);
    expect(outcome.fields.imap?.capabilities).toEqual(["IMAP4rev1", "AUTH=PLAIN"]);
    expect(outcome.fields.imap?.capabilities_tls).toBeNull();
    expect(outcome.fields.tls?.implicit).toBe(true);
  });

  it("classifies a BYE greeting, a non-IMAP greeting and a silent close", async () => {
    const bye = await runImapSession(scriptContext(new ScriptChannel(["* BYE too many connections"])), false);
    expect(bye).toMatchObject({ status: "rejected", error: "the greeting was BYE" });
    expect(bye.fields.imap?.greeting).toBe("* BYE too many connections");
    const smtp = await runImapSession(scriptContext(new ScriptChannel(["220 mx ESMTP"])), false);
    expect(smtp.status).toBe("protocol-error");
    const silent = await runImapSession(scriptContext(new ScriptChannel([])), false);
    expect(silent.status).toBe("closed-before-banner");
    const midway = await runImapSession(scriptContext(new ScriptChannel(["* OK ready"])), false);
    expect(midway.status).toBe("closed");
  });
});
