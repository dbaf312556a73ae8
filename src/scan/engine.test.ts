import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSmtp, startFakeSmtp } from "../../test/support/fake-smtp.js";
import { scanEndpoints } from "../../test/support/scan.js";
import { Scope } from "../core/scope.js";
import { protocolNamed } from "../protocols/registry.js";
import { ENGINE_DEFAULTS, runScan } from "./engine.js";

describe("engine", () => {
  let fake: FakeSmtp;
  let slow: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp("127.77.241.1", { ports: 60 });
    slow = await startFakeSmtp("127.77.241.2", { ports: 400, bannerDelayMs: 400 });
  });
  afterAll(async () => {
    await fake.close();
    await slow.close();
  });

  it("never opens a socket outside the scope", async () => {
    const before = fake.connections;
    const records = await scanEndpoints([{ ip: fake.ip, port: fake.ports[0] as number }], {
      scope: ["127.77.242.0/24"],
    });
    expect(records).toHaveLength(1);
    expect(records[0]?.status).toBe("out-of-scope");
    expect(records[0]?.transcript).toEqual([]);
    expect(fake.connections).toBe(before);
  });

  it("keeps special-purpose addresses out under a catch-all scope", async () => {
    const before = fake.connections;
    const records = await scanEndpoints([{ ip: fake.ip, port: fake.ports[0] as number }], {
      scope: ["0.0.0.0/0"],
    });
    expect(records[0]?.status).toBe("out-of-scope");
    expect(records[0]?.error).toMatch(/loopback/);
    expect(fake.connections).toBe(before);
  });

  it("holds the per-IP cap on concurrent sessions", async () => {
    const endpoints = slow.ports.slice(0, 12).map((port) => ({ ip: slow.ip, port }));
    const peakBefore = slow.peakConcurrent;
    expect(peakBefore).toBe(0);
    const records = await scanEndpoints(endpoints, { perIpConcurrency: 3, concurrency: 100 });
    expect(records.every((r) => r.status === "ok")).toBe(true);
    expect(slow.peakConcurrent).toBe(3);
  });

  it("fills the global concurrency cap and never exceeds it", async () => {
    const options = {
      ...ENGINE_DEFAULTS,
      scope: Scope.parse("127.77.0.0/16"),
      concurrency: 250,
      perIpConcurrency: 1000,
      perIpRate: 0,
      protocol: { ehloName: "scanner.test", starttls: "auto" as const, replyTimeoutMs: 10_000, probes: [] },
    };
    async function* jobs() {
      for (const port of slow.ports) yield { ip: slow.ip, port, protocol: "smtp" };
    }
    let count = 0;
    const stats = await runScan(jobs(), protocolNamed, options, () => {
      count += 1;
    });
    expect(count).toBe(400);
    expect(stats.peakInFlight).toBe(250);
    expect(stats.byStatus.ok).toBe(400);
  });

  it("spaces new connections to one IP by the per-IP rate", async () => {
    const start = fake.acceptedAt.length;
    const endpoints = fake.ports.slice(0, 6).map((port) => ({ ip: fake.ip, port }));
    await scanEndpoints(endpoints, { perIpRate: 20, perIpConcurrency: 10 });
    const times = fake.acceptedAt.slice(start);
    expect(times).toHaveLength(6);
    // 20/s reserves one slot every 50 ms from the first: the i-th connection may come late (a
    // timer fires late on a busy machine), never early, so the check is on each connection's
    // distance from the first. The first's own accept can be late too (this test's process is
    // also the server, and CI seen it 7 ms late), which shrinks every distance by as much: 20 ms
    // are allowed for it. Without pacing the six would land within a few ms of each other.
    const first = times[0] as number;
    times.forEach((t, i) => {
      expect(t - first).toBeGreaterThan(i * 50 - 20);
    });
  });

  it("runs probe sessions on their own connections and ends them with QUIT", async () => {
    const before = fake.connections;
    const [record] = await scanEndpoints([{ ip: fake.ip, port: fake.ports[1] as number }], {
      probes: ["bare-ehlo"],
    });
    expect(record?.status).toBe("ok");
    expect(fake.connections - before).toBe(2);
    const probe = record?.smtp?.probes[0];
    expect(probe).toMatchObject({ name: "bare-ehlo", status: "ok", ended: "complete" });
    expect(probe?.steps[1]).toMatchObject({ command: "EHLO", reply: { code: 501, enhanced: "5.5.4" } });
    const probeLines = record?.transcript.filter((t) => t.conn === 1 && t.dir === "C").map((t) => t.data);
    expect(probeLines).toEqual(["EHLO", "QUIT"]);
    const mainLines = record?.transcript.filter((t) => t.conn === 0 && t.dir === "C").map((t) => t.data);
    expect(mainLines).toEqual(["EHLO scanner.smtpsurvey.test", "HELP", "QUIT"]);
  });

  it("speaks to IPv6 addresses", async () => {
    const six = await startFakeSmtp("::1");
    try {
      const [record] = await scanEndpoints([{ ip: "::1", port: six.ports[0] as number }], {
        scope: ["::1/128"],
      });
      expect(record?.status).toBe("ok");
      expect(record?.smtp?.ehlo?.[0]).toBe("fake.smtpsurvey.test");
    } finally {
      await six.close();
    }
  });

  it("names a refused port", async () => {
    const [record] = await scanEndpoints([{ ip: "127.77.241.3", port: 2 }]);
    expect(record?.status).toBe("refused");
  });
});
