import { describe, expect, it } from "vitest";
import { hostNameInGreeting } from "./server-name.js";

describe("hostNameInGreeting", () => {
  it.each([
    ["[CAPABILITY IMAP4rev1 STARTTLS] Dovecot (Debian) ready.", null],
    ["Dovecot (Debian) ready.", null],
    ["mail.example.com Cyrus IMAP v3.4.4 server ready", "mail.example.com"],
    ["[CAPABILITY IMAP4rev1] mail.example.com IMAP4rev1 2007f.404 at Mon", "mail.example.com"],
    ["POP3 server ready <1896.697170952@dbc.mtview.ca.us>", null],
    ["2.3.19.1 ready", null],
    ["127.0.0.1 ready", null],
    ["ready.", null],
    ["", null],
  ])("%j → %j", (text, expected) => {
    expect(hostNameInGreeting(text)).toBe(expected);
  });
});
