/**
 * --per-prefix-rate: new connections to the addresses of one prefix are spaced by its rate,
 * whatever address of the prefix they go to; another prefix has a pacer of its own; a live
 * share (a distributed worker's) changes the spacing while the scan runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSmtp, startFakeSmtp } from "../../test/support/fake-smtp.js";
import { scanEndpoints } from "../../test/support/scan.js";
import { prefixKey } from "../core/prefix.js";
import { PrefixPacers } from "./limits.js";
import { LiveRates } from "./live-rates.js";

describe("prefix keys", () => {
  it("group IPv4 by /bits and IPv6 by /(bits + 24)", () => {
    expect(prefixKey("192.0.2.1", 24)).toBe(prefixKey("192.0.2.254", 24));
    expect(prefixKey("192.0.2.1", 24)).not.toBe(prefixKey("192.0.3.1", 24));
    expect(prefixKey("192.0.2.1", 16)).toBe(prefixKey("192.0.200.1", 16));
    expect(prefixKey("255.255.255.255", 32)).toBe("4294967295/32");
    expect(prefixKey("2001:db8:1:2::1", 24)).toBe(prefixKey("2001:db8:1:ffff::9", 24));
    expect(prefixKey("2001:db8:1::1", 24)).not.toBe(prefixKey("2001:db8:2::1", 24));
    expect(prefixKey("2001:db8:1::1", 24)).toBe("20010db80001/48");
  });
});

describe("prefix pacers", () => {
  it("space one prefix's connections and leave another prefix alone", () => {
    const pacers = new PrefixPacers(10, 24);
    expect(pacers.reserve("192.0.2.1", 0)).toBe(0);
    expect(pacers.reserve("192.0.2.2", 0)).toBe(100);
    expect(pacers.reserve("192.0.2.3", 0)).toBe(200);
    expect(pacers.reserve("198.51.100.1", 0)).toBe(0);
    pacers.setRate(20);
    // the slot earned at the old rate stays (300 ms); the one after it is 50 ms later
    expect(pacers.reserve("192.0.2.4", 0)).toBe(300);
    expect(pacers.reserve("192.0.2.5", 0)).toBe(350);
  });
});

describe("the engine with --per-prefix-rate", () => {
  const fakes: FakeSmtp[] = [];
  beforeAll(async () => {
    for (let i = 1; i <= 4; i++) fakes.push(await startFakeSmtp(`127.77.238.${i}`, { ports: 2 }));
    fakes.push(await startFakeSmtp("127.77.239.1", { ports: 4 }));
  });
  afterAll(async () => {
    for (const f of fakes) await f.close();
  });

  const accepted = (some: FakeSmtp[]) => some.flatMap((f) => f.acceptedAt).sort((a, b) => a - b);
  const endpoints = (some: FakeSmtp[]) => some.flatMap((f) => f.ports.map((port) => ({ ip: f.ip, port })));

  it("spaces the prefix's connections over all its addresses, and not another prefix's", async () => {
    const inPrefix = fakes.slice(0, 4);
    const other = fakes.slice(4);
    const records = await scanEndpoints([...endpoints(inPrefix), ...endpoints(other)], {
      perPrefixRate: 20,
      prefixBits: 24,
      concurrency: 100,
    });
    expect(records.filter((r) => r.status === "ok")).toHaveLength(12);
    const times = accepted(inPrefix);
    expect(times).toHaveLength(8);
    // 20/s: a slot every 50 ms from the first; late is allowed, early is not (20 ms for the
    // first accept's own lateness, as in the per-IP test)
    const first = times[0] as number;
    times.forEach((t, i) => {
      expect(t - first).toBeGreaterThan(i * 50 - 20);
    });
    // the other /24 has its own pacer: its four went at 0, 50, 100, 150 ms, beside the first's
    const theirs = accepted(other);
    expect((theirs[3] as number) - (theirs[0] as number)).toBeLessThan(8 * 50 - 20);
  });

  it("follows a live share that changes while the scan runs", async () => {
    for (const f of fakes) f.acceptedAt.length = 0;
    const live = new LiveRates({ rate: 0, perPrefixRate: 50 });
    // halved after the start: as when a second worker comes up
    setTimeout(() => live.set({ rate: 0, perPrefixRate: 10 }), 30);
    // two at a time, so that most connections are reserved after the change
    await scanEndpoints(endpoints(fakes.slice(0, 4)), {
      perPrefixRate: 50,
      prefixBits: 24,
      live,
      concurrency: 2,
    });
    const times = accepted(fakes.slice(0, 4));
    expect(times).toHaveLength(8);
    // at 50/s the eight take 140 ms, at 10/s 700 ms: those reserved after the change (three
    // or more) put the last over 300 ms after the first
    expect((times[7] as number) - (times[0] as number)).toBeGreaterThan(300);
  });
});
