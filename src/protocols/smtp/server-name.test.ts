import { describe, expect, it } from "vitest";
import type { SmtpRecord } from "../record.js";
import { smtpServerName } from "./server-name.js";

function smtp(ehlo: string[] | null, greeting: string | null): SmtpRecord {
  return {
    banner: null,
    ehlo,
    helo: null,
    help: null,
    starttls: null,
    ehlo_tls: null,
    quit: null,
    replies: greeting ? { greeting: { code: 220, enhanced: null, lines: [greeting], raw: "" } } : {},
    probes: [],
  };
}

describe("smtpServerName", () => {
  it("takes the first word of the EHLO reply, else of the greeting", () => {
    expect(smtpServerName(smtp(["mx.example.com Hello there", "PIPELINING"], "other.example ESMTP"))).toBe(
      "mx.example.com",
    );
    expect(smtpServerName(smtp(null, "mx.example.com ESMTP Postfix"))).toBe("mx.example.com");
    expect(smtpServerName(smtp(null, null))).toBeNull();
    expect(smtpServerName(smtp([""], null))).toBeNull();
  });
});
