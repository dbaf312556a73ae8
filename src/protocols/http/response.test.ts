import { describe, expect, it } from "vitest";
import { ScriptChannel } from "../../../test/support/script-channel.js";
import { ProtocolMismatch } from "../failure.js";
import { headRequestLines } from "./request.js";
import { readResponseHead } from "./response.js";

describe("readResponseHead", () => {
  it("reads the status line and headers up to the blank line", async () => {
    const head = await readResponseHead(
      new ScriptChannel([
        "HTTP/1.1 200 OK",
        "Server: nginx/1.22.1",
        "Content-Type: text/plain",
        "X-Folded: one",
        "  two",
        "",
        "body that is never read",
      ]),
      0,
    );
    expect(head).toEqual({
      status_line: "HTTP/1.1 200 OK",
      status: 200,
      server: "nginx/1.22.1",
      headers: [
        ["Server", "nginx/1.22.1"],
        ["Content-Type", "text/plain"],
        ["X-Folded", "one two"],
      ],
    });
  });

  it("finds Server in any case, keeps a malformed line, and allows no Server at all", async () => {
    const head = await readResponseHead(
      new ScriptChannel(["HTTP/1.0 404", "sErVeR:Apache", "garbage line", ""]),
      0,
    );
    expect(head).toMatchObject({ status: 404, server: "Apache" });
    expect(head.headers).toContainEqual(["garbage line", ""]);
    expect((await readResponseHead(new ScriptChannel(["HTTP/2 204 No Content", ""]), 0)).server).toBeNull();
  });

  it("refuses what is not HTTP", async () => {
    for (const line of ["220 mx ESMTP", "* OK IMAP", "SSH-2.0-x", "HTTP/1.1 OK"]) {
      await expect(readResponseHead(new ScriptChannel([line]), 0)).rejects.toBeInstanceOf(ProtocolMismatch);
    }
  });

  it("stops a head of more than 200 lines and fails when it never ends", async () => {
    const lines = ["HTTP/1.1 200 OK", ...Array.from({ length: 300 }, (_, i) => `X-${i}: y`)];
    await expect(readResponseHead(new ScriptChannel(lines), 0)).rejects.toMatchObject({
      failure: "too-long",
    });
    await expect(readResponseHead(new ScriptChannel(["HTTP/1.1 200 OK", "A: b"]), 0)).rejects.toMatchObject({
      failure: "closed",
    });
  });
});

describe("headRequestLines", () => {
  it("sends Host with the port only when it is not the scheme's default", () => {
    expect(headRequestLines("192.0.2.1", 443, true)).toEqual([
      "HEAD / HTTP/1.1",
      "Host: 192.0.2.1",
      "Connection: close",
      "",
    ]);
    expect(headRequestLines("192.0.2.1", 8443, true)[1]).toBe("Host: 192.0.2.1:8443");
    expect(headRequestLines("2001:db8::1", 80, false)[1]).toBe("Host: [2001:db8::1]");
    expect(headRequestLines("2001:db8::1", 443, false)[1]).toBe("Host: [2001:db8::1]:443");
  });
});
