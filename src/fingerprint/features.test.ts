import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mask } from "../core/mask.js";
import { repoRoot } from "../core/paths.js";
import { ScanRecordSchema } from "../store/schema.js";
import { extractFeatures, withoutBanner } from "./features.js";

const fixture = (name: string) =>
  ScanRecordSchema.parse(JSON.parse(readFileSync(join(repoRoot(), "test", "fixtures", "lab", name), "utf8")));

describe("mask", () => {
  it("hides host names, addresses, dates and session ids", () => {
    expect(mask("220 exim.lab.smtpsurvey.test ESMTP Exim 4.96 Mon, 23 Nov 2026 12:34:30 +0000")).toBe(
      "220 <host> ESMTP Exim 4.96 <date>",
    );
    expect(mask("mx.example Hello localhost [127.0.0.1]")).toBe("<host> Hello <host> [<ip>]");
    expect(mask("Hello [IPv6:2001:db8::1]")).toBe("Hello [<ip>]");
    expect(mask("220 h.example ESMTP Haraka/3.3.4 ready (4C6005)")).toBe(
      "220 <host> ESMTP Haraka/3.3.4 ready (<id>)",
    );
  });

  it("keeps version numbers and enhanced codes", () => {
    expect(mask("ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Mon, 23 Nov 2026 12:34:30 GMT")).toBe(
      "ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; <date>",
    );
    expect(mask("500 5.5.2 Error: command not recognized")).toBe("500 5.5.2 Error: command not recognized");
  });
});

describe("extractFeatures", () => {
  it("reads every documented SMTP feature from a lab record", () => {
    const f = extractFeatures(fixture("postfix-25.json"));
    expect(f.get("banner")).toBe("220 <host> ESMTP Postfix (Debian/GNU)");
    expect(f.get("banner.raw")).toBe("220 postfix.lab.smtpsurvey.test ESMTP Postfix (Debian/GNU)");
    expect(f.get("ehlo.first")).toBe("<host>");
    expect(f.get("ehlo.keywords")).toBe(
      "PIPELINING SIZE VRFY ETRN STARTTLS ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING",
    );
    expect(f.get("ehlo.lines")).toContain("SIZE 10240000\nVRFY");
    expect(f.get("help")).toBe("500 5.5.2 Error: command not recognized");
    expect(f.get("quit")).toMatch(/^221 2\.0\.0 Bye/);
    expect(f.get("probe.bare-ehlo")).toBe("501 Syntax: EHLO hostname");
    expect(f.get("probe.bare-ehlo.1")).toBe("501 Syntax: EHLO hostname");
    expect(f.get("probe.bare-ehlo.ended")).toBe("complete");
    expect(f.get("cert.subject")).toBeTruthy();
  });

  it("joins multi-line replies as code-text lines and reads other protocols", () => {
    expect(extractFeatures(fixture("opensmtpd-25.json")).get("help")?.split("\n")[0]).toBe(
      "214-2.0.0 This is OpenSMTPD".replace("-", " "),
    );
    expect(extractFeatures(fixture("dovecot-143.json")).get("imap.greeting")).toContain("Dovecot");
    expect(extractFeatures(fixture("nginx-80.json")).get("http.server")).toMatch(/^nginx/);
  });

  it("drops the greeting features when asked", () => {
    const f = withoutBanner(extractFeatures(fixture("exim-25.json")));
    expect(f.has("banner")).toBe(false);
    expect(f.has("banner.raw")).toBe(false);
    expect(f.has("ehlo.keywords")).toBe(true);
  });
});
