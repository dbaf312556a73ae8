/**
 * Telling the user early that a survey is going nowhere (the sftcd tool ran 34 hours before
 * anyone saw that port 25 was blocked): when the first N connections on a port all time out, the
 * port looks blocked from here, and the run stops, unless a control target in scope answered on
 * that port, in which case the targets (not the network) are silent and it goes on with a
 * warning. A run whose hit rate is still zero after M records gets one warning.
 */
import type { RecordKey } from "../store/record-output.js";

export interface EarlyWarningOptions {
  /** connections per port judged before deciding (0: never stop) */
  preflight: number;
  /** records after which a zero hit rate is warned about (0: never) */
  zeroHitsAfter: number;
  /** ports on which a control target answered before the run */
  controlAnswered: ReadonlySet<number>;
  warn(line: string): void;
  /** called once to stop the run, with the reason */
  stop(reason: string): void;
}

export class EarlyWarnings {
  private readonly perPort = new Map<number, { seen: number; timeouts: number; decided: boolean }>();
  private records = 0;
  private hits = 0;
  private warnedZero = false;
  private stopped = false;

  constructor(private readonly options: EarlyWarningOptions) {}

  observe(record: Pick<RecordKey, "port" | "status">): void {
    this.records += 1;
    if (record.status === "ok") this.hits += 1;
    const port = this.perPort.get(record.port) ?? { seen: 0, timeouts: 0, decided: false };
    this.perPort.set(record.port, port);
    if (!port.decided && this.options.preflight > 0) {
      port.seen += 1;
      if (record.status === "connect-timeout") port.timeouts += 1;
      if (port.seen >= this.options.preflight) {
        port.decided = true;
        if (port.timeouts === port.seen) this.allTimedOut(record.port, port.seen);
      }
    }
    if (
      !this.warnedZero &&
      this.options.zeroHitsAfter > 0 &&
      this.records >= this.options.zeroHitsAfter &&
      this.hits === 0
    ) {
      this.warnedZero = true;
      this.options.warn(
        `no target has answered after ${this.records} records: check --scope, the ports and the network`,
      );
    }
  }

  private allTimedOut(port: number, n: number): void {
    if (this.options.controlAnswered.has(port)) {
      this.options.warn(
        `the first ${n} targets on port ${port} all timed out while the control target answered: the targets look filtered; going on`,
      );
      return;
    }
    if (this.stopped) return;
    this.stopped = true;
    this.options.stop(
      `the first ${n} connections on port ${port} all timed out: outbound port ${port} looks blocked from this machine. ` +
        `Check with --control HOST:${port} (a server in --scope known to answer), or --preflight 0 to go on regardless`,
    );
  }
}
