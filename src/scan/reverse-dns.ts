/** Reverse DNS for scanned addresses: one lookup per address, bounded in time and in memory. */
import { Resolver } from "node:dns/promises";

const CACHE_LIMIT = 50_000;

export class ReverseNames {
  private readonly cache = new Map<string, Promise<string | null>>();
  private readonly resolver = new Resolver({ timeout: 3000, tries: 2 });

  lookup(ip: string): Promise<string | null> {
    let name = this.cache.get(ip);
    if (!name) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
      name = this.resolver.reverse(ip).then(
        (names) => names[0] ?? null,
        () => null,
      );
      this.cache.set(ip, name);
    }
    return name;
  }
}
