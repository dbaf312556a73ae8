/**
 * Without --ehlo, the name a grab announces is the machine's FQDN or an address literal
 * of the connection's own end (ehlo-name.ts), never a bare host name that servers reject (reject_non_fqdn_helo_hostname).
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultEhloName, isFqdn } from "../../src/cli/ehlo-name.js";
import { runCli } from "../support/cli.js";

describe("the EHLO name a grab announces by default", () => {
  let server: Server;
  let port = 0;
  const announced: string[] = [];
  beforeAll(async () => {
    server = createServer((socket) => {
      socket.on("error", () => {});
      socket.write("220 ehlo-test ESMTP\r\n");
      let buffer = "";
      socket.on("data", (chunk) => {
        buffer += chunk.toString("latin1");
        for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
          const line = buffer.slice(0, i).trim();
          buffer = buffer.slice(i + 1);
          const ehlo = /^(?:EHLO|HELO) (.+)$/i.exec(line);
          if (ehlo?.[1]) {
            announced.push(ehlo[1]);
            socket.write("250 ehlo-test\r\n");
          } else if (/^QUIT/i.test(line)) socket.end("221 bye\r\n");
          else socket.write("502 no\r\n");
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address && typeof address === "object") port = address.port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("is this machine's FQDN or address literal", async () => {
    const result = await runCli([
      "grab",
      "127.0.0.1",
      "-p",
      String(port),
      "--scope",
      "127.0.0.1/32",
      "-o",
      "-",
      "-q",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(announced.length).toBeGreaterThan(0);
    const name = announced[0] as string;
    // the machine's FQDN, else the literal of the connection's own end (here loopback)
    expect(name).toBe((await defaultEhloName()) ?? "[127.0.0.1]");
    expect(isFqdn(name) || name === "[127.0.0.1]", name).toBe(true);
  });

  it("is --ehlo's when given", async () => {
    announced.length = 0;
    const result = await runCli([
      "grab",
      "127.0.0.1",
      "-p",
      String(port),
      "--scope",
      "127.0.0.1/32",
      "--ehlo",
      "scanner.example.org",
      "-o",
      "-",
      "-q",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(announced[0]).toBe("scanner.example.org");
  });
});
