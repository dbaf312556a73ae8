/**
 * Pacing parts shared by the scan engine and the DNS resolver, written by hand because they sit
 * on the hot path of every connection and must stay O(1) with 10,000 sessions in flight (a
 * Promise.race over the in-flight set would be O(n) per start).
 */

/** A counting semaphore with a FIFO queue of waiters. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length - this.head;
  }

  acquire(): Promise<void> | undefined {
    if (this.active < this.capacity) {
      this.active += 1;
      return undefined;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    if (this.head < this.waiters.length) {
      const next = this.waiters[this.head] as () => void;
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.waiters.length) {
        this.waiters.splice(0, this.head);
        this.head = 0;
      }
      next();
      return;
    }
    this.active -= 1;
  }
}

/**
 * Spaces events at least 1000/rate ms apart (a token bucket with a burst of one): each caller
 * reserves the next free instant and sleeps until it. rate <= 0 means unlimited.
 */
export class Pacer {
  private next = 0;

  constructor(private perSecond: number) {}

  /** A new rate from now on (a distributed worker's share changes as workers come and go). */
  setRate(perSecond: number): void {
    this.perSecond = perSecond;
    // a slot reserved at the old rate stays; the next ones are spaced at the new one
  }

  /** Reserves a slot; returns the ms to wait (0 when it may go now). */
  reserve(now: number): number {
    if (this.perSecond <= 0) return 0;
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    return at - now;
  }

  get idleSince(): number {
    return this.next;
  }
}
