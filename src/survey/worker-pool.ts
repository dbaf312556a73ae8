/**
 * The engine on every core: N worker threads, each running the engine on its own share of the
 * jobs. An address always goes to the same worker (a hash of the IP), so per-IP caps hold
 * across workers; -c and --rate are split between them. The main thread keeps what must be one:
 * the job stream and its claims, the one output file and its run state, the progress line.
 *
 * Threads rather than processes: they measured as fast, share one copy of the program's memory
 * (a process per core doubled the baseline RSS), and a kill -9 takes them all at once, so
 * `--resume` has one writer to account for (records are committed by the main thread only).
 * Written by hand: a job stream with per-worker credits is not what generic pools offer.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { fnv1a } from "../core/hash.js";
import { DEFAULT_PREFIX_BITS, prefixKey } from "../core/prefix.js";
import type { Status } from "../core/status.js";
import type { ScanJob, ScanStats } from "../scan/engine.js";
import type { RecordKey } from "../store/record-output.js";
import { type EngineRecipe, shareOf } from "./engine-recipe.js";
import { heapPlan } from "./heap-tuning.js";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-messages.js";

/** Jobs per message: enough that messaging costs little, few enough that no worker waits long. */
const BATCH_JOBS = 64;
/** A batch not yet full goes anyway after this long (a slow target source, e.g. MX lookups). */
const BATCH_MS = 10;

export interface PoolSink {
  /** finished records as JSON Lines in UTF-8, with their keys; on the main thread, as they arrive */
  records(keys: readonly RecordKey[], lines: Uint8Array): void;
}

/**
 * Which worker an address belongs to. With --per-prefix-rate (`prefixBits` given), a whole
 * prefix belongs to one worker, so its rate is held there exactly (and so is every per-IP cap).
 */
export function ownerOf(ip: string, workers: number, prefixBits?: number): number {
  return fnv1a(prefixBits === undefined ? ip : prefixKey(ip, prefixBits)) % workers;
}

class EngineWorker {
  readonly thread: Worker;
  /** jobs sent whose record has not come back */
  outstanding = 0;
  pending: ScanJob[] = [];
  stats: ScanStats | null = null;
  readonly finished: Promise<ScanStats>;

  constructor(
    setup: WorkerSetup,
    readonly capacity: number,
    onRecords: (message: Extract<FromWorker, { type: "records" }>, worker: EngineWorker) => void,
  ) {
    this.thread = new Worker(workerEntry(), {
      workerData: setup,
      resourceLimits: { maxYoungGenerationSizeMb: heapPlan(capacity).youngGenerationMb },
    });
    this.finished = new Promise<ScanStats>((resolve, reject) => {
      this.thread.on("message", (message: FromWorker) => {
        if (message.type === "records") onRecords(message, this);
        else {
          this.stats = message.stats;
          resolve(message.stats);
        }
      });
      this.thread.once("error", reject);
      this.thread.once("exit", (code) => {
        if (!this.stats) reject(new Error(`an engine worker exited (${code}) before it finished`));
      });
    });
    // a failure is reported by whoever awaits it; keep Node from calling it unhandled before then
    this.finished.catch(() => {});
  }

  post(message: ToWorker): void {
    this.thread.postMessage(message);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.post({ type: "jobs", jobs: this.pending });
    this.pending = [];
  }

  /** room for more jobs: its sessions in flight plus a batch queued */
  get full(): boolean {
    return this.outstanding >= this.capacity + BATCH_JOBS;
  }
}

export async function runPooledScan(
  jobs: AsyncIterable<ScanJob>,
  recipe: EngineRecipe,
  workers: number,
  signal: AbortSignal,
  sink: PoolSink,
): Promise<ScanStats> {
  const share = shareOf(recipe, workers);
  const byPrefix =
    (recipe.limits.perPrefixRate ?? 0) > 0 ? (recipe.limits.prefixBits ?? DEFAULT_PREFIX_BITS) : undefined;
  let room: (() => void) | null = null;
  const onRecords = (message: Extract<FromWorker, { type: "records" }>, worker: EngineWorker) => {
    const keys: RecordKey[] = message.ips.map((ip, i) => ({
      ip,
      port: message.ports[i] as number,
      status: message.statuses[i] as Status,
    }));
    sink.records(keys, message.lines);
    worker.outstanding -= keys.length;
    const wake = room;
    room = null;
    wake?.();
  };
  const pool = Array.from(
    { length: workers },
    () => new EngineWorker({ recipe: share }, share.limits.concurrency, onRecords),
  );
  // settles only if a worker fails (rejects with its error)
  const failed = Promise.race(pool.map((w) => w.finished.then(() => new Promise<never>(() => {}))));
  let failure: unknown = null;
  failed.catch((error: unknown) => {
    failure ??= error;
  });
  const stop = () => {
    for (const w of pool) w.post({ type: "stop" });
  };
  signal.addEventListener("abort", stop, { once: true });
  let timer: NodeJS.Timeout | null = null;
  const flushAll = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    for (const w of pool) w.flush();
  };
  let sent = 0;
  try {
    for await (const job of jobs) {
      if (failure) throw failure;
      if (signal.aborted) break;
      const worker = pool[ownerOf(job.ip, workers, byPrefix)] as EngineWorker;
      while (worker.full && !signal.aborted) {
        flushAll();
        await Promise.race([new Promise<void>((resolve) => (room = resolve)), failed]);
      }
      if (signal.aborted) break;
      worker.pending.push(job);
      worker.outstanding += 1;
      sent += 1;
      if (worker.pending.length >= BATCH_JOBS) worker.flush();
      else timer ??= setTimeout(flushAll, BATCH_MS);
    }
    // interrupted: what was not sent stays unscanned (claims live only in this run's memory)
    if (signal.aborted) for (const w of pool) w.pending = [];
    flushAll();
    for (const w of pool) w.post({ type: "end" });
    const all = await Promise.race([Promise.all(pool.map((w) => w.finished)), failed]);
    return mergeStats(all, sent, signal.aborted);
  } finally {
    signal.removeEventListener("abort", stop);
    if (timer) clearTimeout(timer);
    await Promise.all(pool.map((w) => w.thread.terminate()));
  }
}

function mergeStats(all: ScanStats[], jobs: number, aborted: boolean): ScanStats {
  const byStatus: Partial<Record<Status, number>> = {};
  for (const s of all) {
    for (const [status, n] of Object.entries(s.byStatus) as Array<[Status, number]>) {
      byStatus[status] = (byStatus[status] ?? 0) + n;
    }
  }
  return {
    jobs,
    byStatus,
    // each worker's own peak, added: an upper bound on the sessions in flight at once
    peakInFlight: all.reduce((sum, s) => sum + s.peakInFlight, 0),
    interrupted: aborted || all.some((s) => s.interrupted),
  };
}

/**
 * The worker's compiled file. From the build (dist/) it sits beside this one; when this module
 * runs from its TypeScript source (the tests), the thread still needs JavaScript, so the build
 * is used (tests that start workers build first).
 */
function workerEntry(): URL {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith(".js")) return new URL("./grab-worker.js", here);
  const built = new URL("../../dist/src/survey/grab-worker.js", here);
  if (!existsSync(fileURLToPath(built))) throw new Error("engine workers need the build: npm run build");
  return built;
}
