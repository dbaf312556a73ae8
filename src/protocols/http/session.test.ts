import { describe, expect, it } from "vitest";
import { ScriptChannel, scriptContext } from "../../../test/support/script-channel.js";
import { runHttpSession } from "./session.js";

describe("the HTTP session", () => {
  it("sends one HEAD / and records the head", async () => {
    const channel = new ScriptChannel(
      ["HTTP/1.1 301 Moved Permanently", "Server: nginx", ""],
      undefined,
      "192.0.2.7",
      80,
    );
    const outcome = await runHttpSession(scriptContext(channel), false);
    expect(channel.written).toEqual(["HEAD / HTTP/1.1", "Host: 192.0.2.7", "Connection: close", ""]);
    expect(outcome.status).toBe("ok");
    expect(outcome.fields.http).toMatchObject({ status: 301, server: "nginx" });
    expect(outcome.fields.tls).toBeNull();
  });

  it("keeps the certificate error of a failed HTTPS handshake", async () => {
    const failed = { version: null, cipher: null, chainDer: [], error: "wrong version number" };
    const channel = new ScriptChannel([], failed, "192.0.2.7", 443);
    // a real channel is closed after a failed handshake: the scripted one has no lines left
    const outcome = await runHttpSession(scriptContext(channel), true);
    expect(outcome.fields.tls).toMatchObject({ implicit: true, error: "wrong version number" });
    expect(outcome.fields.http).toBeNull();
    expect(outcome.status).toBe("closed");
  });

  it("classifies a reply that is not HTTP", async () => {
    const outcome = await runHttpSession(scriptContext(new ScriptChannel(["220 mx ESMTP"])), false);
    expect(outcome.status).toBe("protocol-error");
  });
});
