import { describe, expect, it } from "vitest";
import { ScriptChannel, scriptContext } from "../../../test/support/script-channel.js";
import { runSmtpSession } from "./session.js";

const GREETING = "220 mx.example.test ESMTP";
const HELP = "214 2.0.0 see RFC 5321";
const BYE = "221 2.0.0 Bye";
const ehloReply = (...keywords: string[]) => [
  ...["250-mx.example.test", ...keywords.slice(0, -1).map((k) => `250-${k}`)],
  `250 ${keywords.at(-1)}`,
];

describe("the SMTP session and PIPELINING (RFC 2920)", () => {
  it("sends HELP and QUIT in one write to a server that offers it, and keeps both replies", async () => {
    const channel = new ScriptChannel([GREETING, ...ehloReply("PIPELINING", "8BITMIME"), HELP, BYE]);
    const outcome = await runSmtpSession(scriptContext(channel), false);
    expect(channel.written).toEqual(["EHLO scanner.test", "HELP\r\nQUIT"]);
    expect(outcome.status).toBe("ok");
    expect(outcome.fields.smtp?.help?.code).toBe(214);
    expect(outcome.fields.smtp?.quit?.code).toBe(221);
    expect(outcome.fields.smtp?.ehlo).toEqual(["mx.example.test", "PIPELINING", "8BITMIME"]);
  });

  it("asks one command at a time when STARTTLS comes next, or with pipelining off, or without PIPELINING", async () => {
    const tlsNext = new ScriptChannel([
      GREETING,
      ...ehloReply("PIPELINING", "STARTTLS"),
      HELP,
      "454 4.7.0 no TLS",
      BYE,
    ]);
    await runSmtpSession(scriptContext(tlsNext), false);
    expect(tlsNext.written).toEqual(["EHLO scanner.test", "HELP", "STARTTLS", "QUIT"]);

    const off = new ScriptChannel([GREETING, ...ehloReply("PIPELINING"), HELP, BYE]);
    const outcome = await runSmtpSession(scriptContext(off, { pipelining: false }), false);
    expect(off.written).toEqual(["EHLO scanner.test", "HELP", "QUIT"]);
    expect(outcome.fields.smtp?.quit?.code).toBe(221);

    const notOffered = new ScriptChannel([GREETING, ...ehloReply("8BITMIME"), HELP, BYE]);
    await runSmtpSession(scriptContext(notOffered), false);
    expect(notOffered.written).toEqual(["EHLO scanner.test", "HELP", "QUIT"]);

    const helo = new ScriptChannel([GREETING, "502 5.5.1 no EHLO", "250 mx.example.test", HELP, BYE]);
    await runSmtpSession(scriptContext(helo), false);
    expect(helo.written).toEqual(["EHLO scanner.test", "HELO scanner.test", "HELP", "QUIT"]);
  });

  it("ends a pipelined session the same way a sequential one does when the server hangs up", async () => {
    for (const pipelining of [true, false]) {
      const afterHelp = new ScriptChannel([GREETING, ...ehloReply("PIPELINING"), HELP]);
      const quitLost = await runSmtpSession(scriptContext(afterHelp, { pipelining }), false);
      expect(quitLost.status).toBe("ok");
      expect(quitLost.fields.smtp?.help?.code).toBe(214);
      expect(quitLost.fields.smtp?.quit).toBeNull();

      const beforeHelp = new ScriptChannel([GREETING, ...ehloReply("PIPELINING")]);
      const helpLost = await runSmtpSession(scriptContext(beforeHelp, { pipelining }), false);
      expect(helpLost.status).toBe("closed");
      expect(helpLost.fields.smtp?.ehlo).toEqual(["mx.example.test", "PIPELINING"]);
    }
  });
});
