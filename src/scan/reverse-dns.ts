/** Reverse DNS for scanned addresses: one lookup per address, bounded in time and in memory. */
import { Resolver } from "node:dns/promises";
import { isIPv4 } from "node:net";

const CACHE_LIMIT = 50_000;

/**
 * Loopback names live on this machine: asking the machine's resolver about them sends a query
 * off the machine for nothing (and a lab scan must never leave loopback). They are looked up
 * only with servers given explicitly (the lab's DNS).
 */
function isLoopback(ip: string): boolean {
  return isIPv4(ip) ? ip.startsWith("127.") : ip === "::1";
}

export class ReverseNames {
  private readonly cache = new Map<string, Promise<string | null>>();
  private readonly resolver = new Resolver({ timeout: 3000, tries: 2 });
  private readonly explicitServers: boolean;

  /** `servers`: DNS servers to ask (the lab's, in tests); the machine's own when absent. */
  constructor(servers?: readonly string[]) {
    this.explicitServers = servers !== undefined && servers.length > 0;
    if (servers && this.explicitServers) this.resolver.setServers([...servers]);
  }

  lookup(ip: string): Promise<string | null> {
    if (!this.explicitServers && isLoopback(ip)) return Promise.resolve(null);
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
