/**
 * The comparisons behind the run diff: one endpoint's snapshot in run A against run B's, each
 * kind of change counted with its first few examples.
 */
import { bump } from "./counts.js";
import type { Snapshot } from "./diff-snapshot.js";

export interface EndpointChange {
  ip: string;
  port: number;
  protocol: string;
  /** the value in run A (null for a new endpoint) */
  before: string | null;
  /** the value in run B (null for a gone endpoint) */
  after: string | null;
}

export interface ChangeList {
  count: number;
  /** the first `examples` changes, in the order they were found */
  examples: EndpointChange[];
}

export type StatusTransition = { from: string; to: string; count: number };

type Endpoint = Pick<EndpointChange, "ip" | "port" | "protocol">;

export class Changes implements ChangeList {
  count = 0;
  examples: EndpointChange[] = [];
  constructor(private readonly limit: number) {}

  note(change: EndpointChange): void {
    this.count += 1;
    if (this.examples.length < this.limit) this.examples.push(change);
  }

  toJSON(): ChangeList {
    return { count: this.count, examples: this.examples };
  }
}

/** Every kind of change between the runs, as found so far. */
export class RunChanges {
  readonly added: Changes;
  readonly gone: Changes;
  readonly status: Changes;
  readonly product: Changes;
  readonly version: Changes;
  readonly keys: Changes;
  /** "from\0to" → how many endpoints went from one status to the other */
  private readonly transitions = new Map<string, number>();

  constructor(examples: number) {
    this.added = new Changes(examples);
    this.gone = new Changes(examples);
    this.status = new Changes(examples);
    this.product = new Changes(examples);
    this.version = new Changes(examples);
    this.keys = new Changes(examples);
  }

  /** Notes every way an endpoint in both runs changed; false when it did not change at all. */
  compare(at: Endpoint, before: Snapshot, after: Snapshot): boolean {
    // every comparison runs (no short-circuit): one endpoint can change in several ways
    const changed = [
      this.compareStatus(at, before, after),
      this.compareSoftware(at, before, after),
      this.compareKeys(at, before, after),
    ];
    return changed.includes(true);
  }

  /** The status transitions, commonest first (ties by their text, so the order is stable). */
  statusTransitions(): StatusTransition[] {
    return [...this.transitions]
      .map(([pair, count]) => {
        const [from = "", to = ""] = pair.split("\u0000");
        return { from, to, count };
      })
      .sort((x, y) => y.count - x.count || (x.from + x.to < y.from + y.to ? -1 : 1));
  }

  private compareStatus(at: Endpoint, before: Snapshot, after: Snapshot): boolean {
    if (before.status === after.status) return false;
    this.status.note({ ...at, before: before.status, after: after.status });
    bump(this.transitions, `${before.status}\u0000${after.status}`);
    return true;
  }

  /** A new product, or else a new version of the same product. */
  private compareSoftware(at: Endpoint, before: Snapshot, after: Snapshot): boolean {
    if (productChanged(before, after)) {
      this.product.note({ ...at, before: before.product, after: after.product });
      return true;
    }
    if (versionChanged(before, after)) {
      this.version.note({
        ...at,
        before: `${before.product} ${before.version}`,
        after: `${after.product} ${after.version}`,
      });
      return true;
    }
    return false;
  }

  private compareKeys(at: Endpoint, before: Snapshot, after: Snapshot): boolean {
    if (!keysChanged(before, after)) return false;
    this.keys.note({ ...at, before: shortKeys(before.keys), after: shortKeys(after.keys) });
    return true;
  }
}

/** Only when both runs identified a product: a run without identification is not a change. */
function productChanged(before: Snapshot, after: Snapshot): boolean {
  return before.product !== null && after.product !== null && before.product !== after.product;
}

/** Only for the same product, with a version known in both runs. */
function versionChanged(before: Snapshot, after: Snapshot): boolean {
  return (
    before.product !== null &&
    before.product === after.product &&
    before.version !== null &&
    after.version !== null &&
    before.version !== after.version
  );
}

/** Only when both runs saw at least one key. */
function keysChanged(before: Snapshot, after: Snapshot): boolean {
  return before.keys !== "" && after.keys !== "" && before.keys !== after.keys;
}

/** keys as short fingerprints for reading: "tls:f3b5513923a9 ssh:1c2d…" */
function shortKeys(keys: string): string {
  return keys
    .split(" ")
    .map((key) => key.slice(0, 16))
    .join(" ");
}
