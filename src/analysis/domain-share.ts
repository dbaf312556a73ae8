/**
 * Market share by mail domain (PingedIn's unit): a domain's software is that of its most
 * preferred MX address that answered SMTP on port 25 (RFC 5321 §5.1: a sender tries the lowest
 * preference first and moves on when it gets no answer), so a domain whose primary is down and
 * whose secondary answers counts the secondary's product. Domains none of whose MX addresses
 * answered are "no answer". Ties in preference go to the address listed first.
 *
 * Targets may come before or after the records, so each domain keeps its (preference, address)
 * pairs until the end: memory O(targets with a domain).
 */
import type { Target } from "../core/target.js";
import { bump, countRows } from "./counts.js";
import { type SoftwareTable, UNKNOWN_LABEL, UNKNOWN_SOFTWARE } from "./software-table.js";
import type { DomainShare } from "./tally-types.js";

export const NO_ANSWER = "no answer";

interface DomainEntry {
  category: string | null;
  /** preference, address id, preference, address id, … */
  mx: number[];
}

/** What port 25 of an address did: NOT_ANSWERED, or the software id of its answer. */
export const NOT_ANSWERED = -2;

export class DomainShareAccumulator {
  private readonly domains = new Map<string, DomainEntry>();

  /** A target with a domain; `address` is its address's id. Targets without a domain are skipped. */
  add(target: Target, address: number): void {
    if (!target.domain) return;
    const domain = target.domain.toLowerCase().replace(/\.$/, "");
    let entry = this.domains.get(domain);
    if (!entry) {
      entry = { category: target.category ?? null, mx: [] };
      this.domains.set(domain, entry);
    }
    if (entry.category === null && target.category) entry.category = target.category;
    // an implicit MX (the domain's own address) has preference 0 by RFC 5321
    entry.mx.push(target.mx_preference ?? 0, address);
  }

  get size(): number {
    return this.domains.size;
  }

  /** `port25(address)`: NOT_ANSWERED, or the software id port 25 answered with. */
  result(port25: (address: number) => number, table: SoftwareTable): DomainShare {
    const products = new Map<string, number>();
    const vendors = new Map<string, number>();
    const kinds = new Map<string, number>();
    const categories = new Map<
      string,
      { domains: number; noAnswer: number; products: Map<string, number> }
    >();
    let noAnswer = 0;
    for (const entry of this.domains.values()) {
      let best = NOT_ANSWERED;
      let bestPreference = Number.POSITIVE_INFINITY;
      for (let i = 0; i < entry.mx.length; i += 2) {
        const preference = entry.mx[i] as number;
        if (preference >= bestPreference) continue;
        const answer = port25(entry.mx[i + 1] as number);
        if (answer === NOT_ANSWERED) continue;
        best = answer;
        bestPreference = preference;
      }
      let product: string;
      if (best === NOT_ANSWERED) {
        noAnswer += 1;
        product = NO_ANSWER;
        bump(vendors, NO_ANSWER);
        bump(kinds, NO_ANSWER);
      } else {
        const info = best === UNKNOWN_SOFTWARE ? null : table.info(best);
        product = info?.product ?? UNKNOWN_LABEL;
        bump(vendors, info?.vendor ?? UNKNOWN_LABEL);
        bump(kinds, info?.kind ?? UNKNOWN_LABEL);
      }
      bump(products, product);
      if (entry.category !== null) {
        let category = categories.get(entry.category);
        if (!category) {
          category = { domains: 0, noAnswer: 0, products: new Map() };
          categories.set(entry.category, category);
        }
        category.domains += 1;
        if (best === NOT_ANSWERED) category.noAnswer += 1;
        bump(category.products, product);
      }
    }
    const total = this.domains.size;
    return {
      domains: total,
      noAnswer,
      products: countRows(products, total),
      vendors: countRows(vendors, total),
      kinds: countRows(kinds, total),
      byCategory: [...categories]
        .map(([category, c]) => ({
          category,
          domains: c.domains,
          noAnswer: c.noAnswer,
          products: countRows(c.products, c.domains),
        }))
        .sort((a, b) => b.domains - a.domains || (a.category < b.category ? -1 : 1)),
    };
  }
}
