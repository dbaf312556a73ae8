import { describe, expect, it } from "vitest";
import { ScriptChannel } from "../../../test/support/script-channel.js";
import { ProtocolMismatch } from "../failure.js";
import { hasCapability, readBody, readStatus } from "./reply.js";

describe("readStatus", () => {
  it("reads +OK and -ERR with their text", async () => {
    expect(await readStatus(new ScriptChannel(["+OK Dovecot (Debian) ready."]), 0)).toEqual({
      ok: true,
      line: "+OK Dovecot (Debian) ready.",
      text: "Dovecot (Debian) ready.",
    });
    expect(await readStatus(new ScriptChannel(["-ERR"]), 0)).toEqual({ ok: false, line: "-ERR", text: "" });
    expect((await readStatus(new ScriptChannel(["+ok fine"]), 0)).ok).toBe(true);
  });

  it("refuses what is not POP3", async () => {
    for (const line of ["* OK IMAP ready", "220 mx ESMTP", "+OKAY", "SSH-2.0-OpenSSH_9.2"]) {
      await expect(readStatus(new ScriptChannel([line]), 0)).rejects.toBeInstanceOf(ProtocolMismatch);
    }
  });
});

describe("readBody", () => {
  it("reads up to the lone dot and undoes dot-stuffing", async () => {
    const body = await readBody(
      new ScriptChannel(["CAPA", "TOP", "..dotted", "SASL PLAIN", ".", "+OK next"]),
      0,
    );
    expect(body).toEqual(["CAPA", "TOP", ".dotted", "SASL PLAIN"]);
  });

  it("stops a body longer than 200 lines and fails when the server goes away", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `X-LINE ${i}`);
    await expect(readBody(new ScriptChannel(lines), 0)).rejects.toMatchObject({ failure: "too-long" });
    await expect(readBody(new ScriptChannel(["TOP"]), 0)).rejects.toMatchObject({ failure: "closed" });
  });
});

describe("hasCapability", () => {
  it("looks at each line's first word", () => {
    expect(hasCapability(["TOP", "stls", "SASL PLAIN"], "STLS")).toBe(true);
    expect(hasCapability(["IMPLEMENTATION STLS-less"], "STLS")).toBe(false);
    expect(hasCapability(null, "STLS")).toBe(false);
  });
});
