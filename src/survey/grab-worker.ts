/**
 * An engine worker (a thread): runs the engine on the jobs the main thread sends, identifies
 * each record where it was made (identification is the other half of a session's CPU), and
 * sends the records back serialised, in batches, for the main thread to write.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Status } from "../core/status.js";
import { protocolNamed } from "../protocols/registry.js";
import { runScan, type ScanJob } from "../scan/engine.js";
import { LineEncoder } from "../store/line-encoder.js";
import type { ScanRecord } from "../store/schema.js";
import { engineOptions } from "./engine-recipe.js";
import { loadIdentification } from "./identification.js";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker-messages.js";

const port = parentPort;
if (!port) throw new Error("grab-worker.js runs as a worker thread (worker-pool.ts starts it)");
const { recipe } = workerData as WorkerSetup;

/** Records go back in batches: one message per record would cost more than the record. */
const BATCH_RECORDS = 64;
const BATCH_MS = 20;

class Outbox {
  private readonly lines = new LineEncoder();
  private count = 0;
  private ips: string[] = [];
  private ports: number[] = [];
  private statuses: Status[] = [];
  private timer: NodeJS.Timeout | null = null;

  add(record: ScanRecord): void {
    this.lines.add(JSON.stringify(record));
    this.count += 1;
    this.ips.push(record.ip);
    this.ports.push(record.port);
    this.statuses.push(record.status);
    if (this.count >= BATCH_RECORDS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.count === 0) return;
    // a buffer of its own (never a slice of Buffer's shared pool), which then moves to the main
    // thread without a copy
    const lines = this.lines.take();
    port?.postMessage(
      {
        type: "records",
        lines,
        ips: this.ips,
        ports: this.ports,
        statuses: this.statuses,
      } satisfies FromWorker,
      [lines.buffer],
    );
    this.count = 0;
    this.ips = [];
    this.ports = [];
    this.statuses = [];
  }
}

/** The jobs as the engine pulls them: batches queued as they arrive, waited for when none is left. */
class Inbox implements AsyncIterable<ScanJob> {
  private readonly batches: ScanJob[][] = [];
  private ended = false;
  private wake: (() => void) | null = null;

  push(jobs: ScanJob[]): void {
    this.batches.push(jobs);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ScanJob> {
    for (;;) {
      const batch = this.batches.shift();
      if (batch) {
        yield* batch;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

function send(message: FromWorker): void {
  port?.postMessage(message);
}

const controller = new AbortController();
const inbox = new Inbox();
port.on("message", (message: ToWorker) => {
  if (message.type === "jobs") inbox.push(message.jobs);
  else if (message.type === "end") inbox.end();
  else {
    controller.abort();
    inbox.end();
  }
});

// identification (the model, its rules, zod to check them) is loaded only when asked for:
// tens of MB in every engine thread that a plain grab does without
const identification = recipe.identify ? await loadIdentification() : null;
const outbox = new Outbox();
const stats = await runScan(
  inbox,
  protocolNamed,
  engineOptions(recipe, identification?.planner, controller.signal),
  (record) => {
    if (identification) record.software = identification.identify(record);
    outbox.add(record);
  },
);
outbox.flush();
send({ type: "stats", stats });
port.close();
