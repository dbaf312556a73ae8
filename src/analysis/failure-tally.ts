/**
 * djb's table of what happened to each connection: counts per status, overall and per
 * (port, protocol), and the most common `error` details behind each failure status. Every record
 * counts (a connection attempt is the unit), so a re-grabbed endpoint counts twice.
 */
import type { ScanRecord } from "../store/schema.js";
import { bump, countRows, HeavyHitters } from "./counts.js";
import { errorKind } from "./record-facts.js";
import type { FailureTally } from "./tally-types.js";

const TOP_ERRORS = 10;

export class FailureAccumulator {
  private records = 0;
  private readonly byStatus = new Map<string, number>();
  /** "port/protocol" → status → count */
  private readonly byPort = new Map<string, Map<string, number>>();
  private readonly errors = new Map<string, HeavyHitters>();

  add(record: ScanRecord): void {
    this.records += 1;
    bump(this.byStatus, record.status);
    const portKey = `${record.port}/${record.protocol}`;
    let statuses = this.byPort.get(portKey);
    if (!statuses) {
      statuses = new Map();
      this.byPort.set(portKey, statuses);
    }
    bump(statuses, record.status);
    if (record.status !== "ok" && record.error) {
      let hitters = this.errors.get(record.status);
      if (!hitters) {
        hitters = new HeavyHitters();
        this.errors.set(record.status, hitters);
      }
      hitters.add(errorKind(record.error));
    }
  }

  result(): FailureTally {
    const byPort = [...this.byPort].map(([key, statuses]) => {
      const slash = key.indexOf("/");
      const records = [...statuses.values()].reduce((sum, n) => sum + n, 0);
      return {
        port: Number(key.slice(0, slash)),
        protocol: key.slice(slash + 1),
        records,
        statuses: countRows(statuses, records),
      };
    });
    byPort.sort((a, b) => b.records - a.records || a.port - b.port || (a.protocol < b.protocol ? -1 : 1));
    const topErrors = [...this.errors]
      .map(([status, hitters]) => {
        const total = this.byStatus.get(status) ?? 0;
        return { status, errors: countRows(hitters.entries(), total, TOP_ERRORS) };
      })
      .sort((a, b) => (this.byStatus.get(b.status) ?? 0) - (this.byStatus.get(a.status) ?? 0));
    return {
      records: this.records,
      byStatus: countRows(this.byStatus, this.records),
      byPort,
      topErrors,
      errorCountSlack: Math.max(0, ...[...this.errors.values()].map((h) => h.slack)),
    };
  }
}
