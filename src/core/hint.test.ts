import { describe, expect, it } from "vitest";
import { hintOf, mailboxHintOf, sshHintOf } from "./hint.js";

describe("the product word a greeting shows", () => {
  it("finds the word beside a version, after ESMTP, or glued to its version", () => {
    expect(hintOf("220 <host> ESMTP FooMail 2.1 ready")).toBe("FooMail");
    expect(hintOf("220 <host> BarMTA v3 ready")).toBe("BarMTA");
    expect(hintOf("220 <host> ESMTP Quuxd; <date>")).toBe("Quuxd");
    expect(hintOf("220 <host> Zork/4.2.1 ESMTP")).toBe("Zork");
  });

  it("finds nothing in a greeting that names no product", () => {
    expect(hintOf("220 <host> ESMTP")).toBeNull();
    expect(hintOf("220 <host> ESMTP ready")).toBeNull();
    expect(hintOf("220 <host> ESMTP Service ready")).toBeNull();
    expect(hintOf("220 ESMTP server ready")).toBeNull();
  });

  it("reads SSH identification strings and mailbox greetings", () => {
    expect(sshHintOf("SSH-2.0-FooSSH_1.2")).toBe("FooSSH");
    expect(sshHintOf("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")).toBe("OpenSSH");
    expect(sshHintOf("SSH-2.0-dropbear")).toBe("dropbear");
    expect(mailboxHintOf("* OK [CAPABILITY IMAP4rev1 IDLE] FooIMAP 1.2 ready")).toBe("FooIMAP");
    expect(mailboxHintOf("+OK POP3 server ready <1234.5678@<host>>")).toBeNull();
  });
});
