import { describe, expect, it } from "vitest";
import { protocolFamily, protocolForPort, protocolNamed, protocolNames } from "./registry.js";

describe("the protocol registry", () => {
  it("decides every protocol's family in one place", () => {
    const families = Object.fromEntries(protocolNames().map((name) => [name, protocolFamily(name)]));
    // every protocol has a family; the mail and web ones fold their TLS twins into it
    expect(families).toMatchObject({
      smtp: "smtp",
      smtps: "smtp",
      imap: "imap",
      imaps: "imap",
      pop3: "pop3",
      pop3s: "pop3",
      http: "http",
      https: "http",
      ssh: "ssh",
    });
    // a family is itself a registered protocol, so whatever reads a family finds its entry
    for (const family of Object.values(families)) expect(protocolNamed(family)?.family).toBe(family);
  });

  it("leaves a name it does not know as its own family, in lower case", () => {
    expect(protocolFamily("FTP")).toBe("ftp");
    expect(protocolFamily("SMTPS")).toBe("smtp");
  });

  it("gives each default port one protocol, and SMTP to the rest", () => {
    expect(protocolForPort(465)).toBe("smtps");
    expect(protocolForPort(22)).toBe("ssh");
    expect(protocolForPort(2525)).toBe("smtp");
  });
});
