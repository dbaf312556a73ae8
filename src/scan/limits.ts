/**
 * The engine's per-destination limits, on the shared pacing parts (src/core/pacing.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Pacer, Semaphore } from "../core/pacing.js";
import { prefixKey } from "../core/prefix.js";

const UNPACED = new Pacer(0);

/** Per-destination politeness: a concurrency cap and a connection rate for every IP. */
export class PerIpLimiter {
  private readonly hosts = new Map<string, { slots: Semaphore; pacer: Pacer; users: number }>();

  constructor(
    private readonly concurrency: number,
    private readonly perSecond: number,
  ) {}

  /**
   * Takes a slot (waiting for one and for the rate if need be); gives back the function that
   * returns it. Synchronous when nothing has to wait, which is nearly always: no promise per
   * connection on the hot path.
   */
  enter(ip: string): (() => void) | Promise<() => void> {
    if (++this.entries % 4096 === 0) this.sweep();
    let host = this.hosts.get(ip);
    if (!host) {
      // with no per-IP rate every host shares one pacer that never waits (one object less each)
      const pacer = this.perSecond > 0 ? new Pacer(this.perSecond) : UNPACED;
      host = { slots: new Semaphore(this.concurrency), pacer, users: 0 };
      this.hosts.set(ip, host);
    }
    host.users += 1;
    const entry = host;
    const release = () => {
      entry.slots.release();
      entry.users -= 1;
      // Forget an idle host once its rate window has passed, so the map stays small.
      if (entry.users === 0 && entry.pacer.idleSince <= performance.now()) this.hosts.delete(ip);
    };
    const wait = host.slots.acquire();
    return wait ? wait.then(() => paced(entry.pacer, release)) : paced(entry.pacer, release);
  }

  private entries = 0;

  /** Drops idle hosts whose rate window has passed (ones released before it had). */
  private sweep(): void {
    const now = performance.now();
    for (const [ip, host] of this.hosts) {
      if (host.users === 0 && host.pacer.idleSince <= now) this.hosts.delete(ip);
    }
  }

  get trackedHosts(): number {
    return this.hosts.size;
  }
}

/** `release` once the host's rate allows the connection: at once (no promise) when it does now. */
function paced(pacer: Pacer, release: () => void): (() => void) | Promise<() => void> {
  const delay = pacer.reserve(performance.now());
  return delay > 0 ? sleep(delay).then(() => release) : release;
}

/**
 * --per-prefix-rate: new connections per second to each prefix (core/prefix.ts), one pacer per
 * prefix seen lately. Reserved beside the scan's own pacer; a connection waits for the later.
 */
export class PrefixPacers {
  private readonly pacers = new Map<string, Pacer>();
  private reservations = 0;

  constructor(
    private perSecond: number,
    private readonly bits: number,
  ) {}

  setRate(perSecond: number): void {
    this.perSecond = perSecond;
    for (const pacer of this.pacers.values()) pacer.setRate(perSecond);
  }

  /** The ms to wait before connecting to `ip` (0: now). */
  reserve(ip: string, now: number): number {
    if (++this.reservations % 4096 === 0) this.sweep(now);
    const key = prefixKey(ip, this.bits);
    let pacer = this.pacers.get(key);
    if (!pacer) {
      pacer = new Pacer(this.perSecond);
      this.pacers.set(key, pacer);
    }
    return pacer.reserve(now);
  }

  /** Forgets prefixes whose last slot has passed: their next connection may go at once anyway. */
  private sweep(now: number): void {
    for (const [key, pacer] of this.pacers) if (pacer.idleSince <= now) this.pacers.delete(key);
  }

  get trackedPrefixes(): number {
    return this.pacers.size;
  }
}
