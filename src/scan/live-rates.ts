/**
 * Rates that may change while a scan runs: a distributed worker's share of the run's --rate and
 * --per-prefix-rate is the total ÷ the live workers, which changes as workers come and go. The
 * engine's pacers follow every change at once, not at the next chunk.
 */
export interface RateShare {
  /** new connections per second over this scan; 0 = unlimited */
  rate: number;
  /** new connections per second to one prefix; 0 = unlimited */
  perPrefixRate: number;
}

export class LiveRates {
  private readonly listeners = new Set<(share: RateShare) => void>();

  constructor(private current: RateShare) {}

  get share(): RateShare {
    return this.current;
  }

  set(share: RateShare): void {
    if (share.rate === this.current.rate && share.perPrefixRate === this.current.perPrefixRate) return;
    this.current = share;
    for (const listener of this.listeners) listener(share);
  }

  /** Calls `listener` on every change; gives back the function that stops it. */
  subscribe(listener: (share: RateShare) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
