import { describe, expect, it } from "vitest";
import { escapeBytes } from "../../core/escape.js";
import { ChannelError } from "../../core/status.js";
import type { Channel } from "../types.js";
import { ehloKeywords, NotSmtpError, offersKeyword, readReply } from "./reply.js";

/** Lines as a channel: every other one handed at once as text, as the engine does with lines already buffered. */
function channelOf(lines: string[]): Channel {
  const queue = lines.map((l) => Buffer.from(l, "latin1"));
  let reads = 0;
  return {
    ip: "127.0.0.1",
    port: 25,
    localAddress: () => "127.0.0.1",
    elapsed: () => 0,
    deadlineIn: (ms) => ms,
    readLine: async () => {
      const next = queue.shift();
      if (!next) throw new ChannelError("closed", "closed");
      return next;
    },
    readText: () => {
      const next = queue.shift();
      reads += 1;
      if (!next) return Promise.reject(new ChannelError("closed", "closed"));
      return reads % 2 === 0 ? escapeBytes(next) : Promise.resolve(escapeBytes(next));
    },
    write: async () => {},
    startTls: async () => ({ version: null, cipher: null, chainDer: [], error: "n/a" }),
    note: () => {},
    takeStream: () => {
      throw new Error("not in this test");
    },
    close: () => {},
  };
}

describe("readReply", () => {
  it("reads a multi-line reply with an enhanced code", async () => {
    const reply = await readReply(channelOf(["250-mx.example", "250-PIPELINING", "250 2.0.0 DSN"]), 0);
    expect(reply.code).toBe(250);
    expect(reply.lines).toEqual(["mx.example", "PIPELINING", "2.0.0 DSN"]);
    expect(reply.enhanced).toBeNull();
    expect(reply.raw).toBe("250-mx.example\r\n250-PIPELINING\r\n250 2.0.0 DSN\r\n");
  });

  it("takes the enhanced code from the first line and accepts a bare code", async () => {
    expect((await readReply(channelOf(["502 5.5.2 Error: command not recognized"]), 0)).enhanced).toBe(
      "5.5.2",
    );
    expect(await readReply(channelOf(["220"]), 0)).toMatchObject({ code: 220, lines: [""] });
  });

  it("refuses what is not SMTP", async () => {
    await expect(readReply(channelOf(["HTTP/1.1 400 Bad Request"]), 0)).rejects.toBeInstanceOf(NotSmtpError);
    await expect(readReply(channelOf(["SSH-2.0-OpenSSH_9.2"]), 0)).rejects.toBeInstanceOf(NotSmtpError);
  });

  it("stops a reply longer than 200 lines", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `220-line ${i}`);
    await expect(readReply(channelOf(lines), 0)).rejects.toMatchObject({ failure: "too-long" });
  });
});

describe("offersKeyword", () => {
  it("answers as ehloKeywords(lines).includes(keyword) does, on odd lines too", () => {
    const lines = [
      "mx.example.test Hello",
      "PIPELINING",
      "pipelining",
      "SIZE 10240000",
      "AUTH=LOGIN PLAIN",
      "STARTTLS\tlater",
      "STARTTLSX",
      "STARTTL",
      " STARTTLS",
      "8BITMIME",
      "Starttls",
      "ſTARTTLS",
      "STARTTLS\u00a0",
      "É",
      "",
    ];
    const keywords = ["PIPELINING", "SIZE", "AUTH", "STARTTLS", "8BITMIME", "CHUNKING", "MX.EXAMPLE.TEST"];
    for (let first = 0; first < lines.length; first += 1) {
      for (const keyword of keywords) {
        const reply = ["greeting", lines[first] as string];
        expect(offersKeyword(reply, keyword), `${keyword} in ${JSON.stringify(reply[1])}`).toBe(
          ehloKeywords(reply).includes(keyword),
        );
      }
    }
    for (const keyword of keywords)
      expect(offersKeyword(lines, keyword)).toBe(ehloKeywords(lines).includes(keyword));
  });
});
