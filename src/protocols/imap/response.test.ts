import { describe, expect, it } from "vitest";
import { ScriptChannel } from "../../../test/support/script-channel.js";
import { ProtocolMismatch } from "../failure.js";
import { capabilityWords, hasCapability, readGreeting, readResponse } from "./response.js";

describe("readGreeting", () => {
  it("reads OK, PREAUTH and BYE, keeping the line and the text after the status", async () => {
    const greeting = await readGreeting(
      new ScriptChannel(["* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot (Debian) ready."]),
      0,
    );
    expect(greeting).toEqual({
      kind: "OK",
      line: "* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot (Debian) ready.",
      text: "[CAPABILITY IMAP4rev1 STARTTLS] Dovecot (Debian) ready.",
    });
    expect((await readGreeting(new ScriptChannel(["* preauth welcome"]), 0)).kind).toBe("PREAUTH");
    expect((await readGreeting(new ScriptChannel(["* BYE"]), 0)).kind).toBe("BYE");
  });

  it("refuses what is not IMAP", async () => {
    for (const line of ["220 mx.example ESMTP", "+OK POP3 ready", "HTTP/1.1 400 Bad Request", "* HELLO"]) {
      await expect(readGreeting(new ScriptChannel([line]), 0)).rejects.toBeInstanceOf(ProtocolMismatch);
    }
  });
});

describe("readResponse", () => {
  it("collects untagged lines up to the tagged completion", async () => {
    const response = await readResponse(
      new ScriptChannel(["* CAPABILITY IMAP4rev1 IDLE", "* OK still here", "a1 OK Pre-login capabilities."]),
      "a1",
      0,
    );
    expect(response.untagged).toEqual(["* CAPABILITY IMAP4rev1 IDLE", "* OK still here"]);
    expect(response.completion).toEqual({ status: "OK", line: "a1 OK Pre-login capabilities." });
    expect(capabilityWords(response.untagged)).toEqual(["IMAP4rev1", "IDLE"]);
  });

  it("reads NO and BAD completions, lower case too", async () => {
    expect((await readResponse(new ScriptChannel(["a2 no"]), "a2", 0)).completion.status).toBe("NO");
    expect((await readResponse(new ScriptChannel(["a2 BAD Unknown"]), "a2", 0)).completion.status).toBe(
      "BAD",
    );
  });

  it("refuses a line that is neither untagged nor our tag's", async () => {
    await expect(readResponse(new ScriptChannel(["a9 OK other"]), "a1", 0)).rejects.toBeInstanceOf(
      ProtocolMismatch,
    );
    await expect(readResponse(new ScriptChannel(["250 OK"]), "a1", 0)).rejects.toBeInstanceOf(
      ProtocolMismatch,
    );
  });

  it("stops a response longer than 200 lines", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `* OK line ${i}`);
    await expect(readResponse(new ScriptChannel(lines), "a1", 0)).rejects.toMatchObject({
      failure: "too-long",
    });
  });

  it("fails as the channel does when the server goes away", async () => {
    await expect(readResponse(new ScriptChannel(["* CAPABILITY IMAP4rev1"]), "a1", 0)).rejects.toMatchObject({
      failure: "closed",
    });
  });
});

describe("capabilityWords", () => {
  it("is null without a CAPABILITY line and joins several", () => {
    expect(capabilityWords(["* OK hi"])).toBeNull();
    expect(capabilityWords(["* CAPABILITY A B", "* capability C"])).toEqual(["A", "B", "C"]);
    expect(hasCapability(["IMAP4rev1", "starttls"], "STARTTLS")).toBe(true);
    expect(hasCapability(null, "STARTTLS")).toBe(false);
  });
});
