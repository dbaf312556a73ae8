/**
 * Progress for long scans: a bar on a terminal (cli-progress), a plain line every few seconds
 * otherwise, nothing with --quiet. Shows done/total, sessions per second, ETA, hits with the
 * hit rate, and failures by status.
 */
import cliProgress from "cli-progress";
import type { Status } from "../core/status.js";

export interface ProgressReporter {
  record(status: Status): void;
  stop(): void;
}

export function createProgress(total: number | null, mode: "auto" | "quiet"): ProgressReporter {
  if (mode === "quiet") return { record() {}, stop() {} };
  const counts = new Map<Status, number>();
  const started = performance.now();
  let done = 0;
  const failures = () =>
    [...counts.entries()]
      .filter(([s]) => s !== "ok")
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([s, n]) => `${s} ${n}`)
      .join(", ") || "none";
  const rate = () => done / Math.max(0.001, (performance.now() - started) / 1000);
  // the hit rate all along: a survey whose targets never answer should be seen to early
  const hits = () => {
    const ok = counts.get("ok") ?? 0;
    return `${ok} (${done === 0 ? "0.0" : ((100 * ok) / done).toFixed(1)}%)`;
  };

  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: "{bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | hits {hits} | {failures}",
        hideCursor: true,
        etaBuffer: 200,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 0, 0, { rate: "0", hits: "0", failures: "none" });
    return {
      record(status) {
        done += 1;
        counts.set(status, (counts.get(status) ?? 0) + 1);
        bar.update(done, { rate: rate().toFixed(1), hits: hits(), failures: failures() });
      },
      stop() {
        bar.stop();
      },
    };
  }

  const line = () => {
    const of = total ? `/${total}` : "";
    process.stderr.write(
      `smtpsurvey: ${done}${of} done, ${rate().toFixed(1)}/s, hits ${hits()}, failures: ${failures()}\n`,
    );
  };
  const timer = setInterval(line, 5000);
  timer.unref();
  return {
    record(status) {
      done += 1;
      counts.set(status, (counts.get(status) ?? 0) + 1);
    },
    stop() {
      clearInterval(timer);
      line();
    },
  };
}

/** The progress of a grab that plans `planned` records (null or too many to count: no total). */
export function grabProgress(planned: bigint | null, quiet: boolean): ProgressReporter {
  const total = planned !== null && planned <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(planned) : null;
  return createProgress(total, quiet ? "quiet" : "auto");
}

/** The grab's notices (interrupts) go to stderr as they are. */
export const stderrNotice = (line: string): void => {
  process.stderr.write(line);
};
