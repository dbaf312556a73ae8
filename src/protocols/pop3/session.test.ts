import { describe, expect, it } from "vitest";
import { ScriptChannel, scriptContext } from "../../../test/support/script-channel.js";
import { runPop3Session } from "./session.js";

const TLS_OK = { version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chainDer: [], error: null };

describe("the POP3 session", () => {
  it("asks CAPA before and after STLS, then says QUIT", async () => {
    const channel = new ScriptChannel(
      [
        "+OK Dovecot (Debian) ready.",
        "+OK",
        "CAPA",
        "TOP",
        "STLS",
        ".",
        "+OK Begin TLS negotiation now.",
        "+OK",
        "CAPA",
        "TOP",
        "USER",
        "SASL PLAIN",
        ".",
        "+OK Logging out.",
      ],
      TLS_OK,
    );
    const outcome = await runPop3Session(scriptContext(channel), false);
    expect(channel.written).toEqual(["CAPA", "STLS", "CAPA", "QUIT"]);
    expect(outcome.status).toBe("ok");
    expect(outcome.fields.pop3).toEqual({
      greeting: "+OK Dovecot (Debian) ready.",
      capabilities: ["CAPA", "TOP", "STLS"],
      stls: "+OK Begin TLS negotiation now.",
      capabilities_tls: ["CAPA", "TOP", "USER", "SASL PLAIN"],
    });
    expect(outcome.fields.tls?.implicit).toBe(false);
  });

  it("keeps capabilities null for a server without CAPA and skips STLS", async () => {
    const channel = new ScriptChannel(["+OK ready", "-ERR unknown command", "+OK bye"]);
    const outcome = await runPop3Session(scriptContext(channel), false);
    expect(outcome.status).toBe("ok");
    expect(outcome.fields.pop3?.capabilities).toBeNull();
    expect(channel.written).toEqual(["CAPA", "QUIT"]);
  });

  it("records a refused STLS in tls.error", async () => {
    const channel = new ScriptChannel(["+OK ready", "+OK", "STLS", ".", "-ERR not now", "+OK bye"]);
    const outcome = await runPop3Session(scriptContext(channel), false);
    expect(outcome.fields.pop3?.stls).toBe("-ERR not now");
    expect(outcome.fields.tls).toMatchObject({ error: "STLS refused: -ERR not now", chain: [] });
  });

  it("runs the same dialogue inside implicit TLS", async () => {
    const channel = new ScriptChannel(["+OK ready", "+OK", "USER", ".", "+OK bye"], TLS_OK);
    const outcome = await runPop3Session(scriptContext(channel), true);
    expect(outcome.fields.pop3?.capabilities).toEqual(["USER"]);
    expect(outcome.fields.pop3?.capabilities_tls).toBeNull();
    expect(outcome.fields.tls?.implicit).toBe(true);
  });

  it("classifies an -ERR greeting, a non-POP3 greeting and a close mid-dialogue", async () => {
    const refused = new ScriptChannel(["-ERR [SYS/TEMP] too busy"]);
    expect(await runPop3Session(scriptContext(refused), false)).toMatchObject({ status: "rejected" });
    expect(refused.written).toEqual(["QUIT"]);
    const imap = await runPop3Session(scriptContext(new ScriptChannel(["* OK IMAP ready"])), false);
    expect(imap.status).toBe("protocol-error");
    const midway = await runPop3Session(scriptContext(new ScriptChannel(["+OK ready", "+OK"])), false);
    expect(midway.status).toBe("closed");
  });
});
