/**
 * Where records go: a JSON Lines file (with run state, so `--resume` works) or stdout.
 * Writes are batched: a batch is appended, fsync'd, then committed to the run state.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { RunState } from "./run-state.js";
import type { ScanRecord } from "./schema.js";

export interface RecordOutput {
  /** true when (ip, port) already has a record (from an earlier run, or earlier in this one) */
  has(ip: string, port: number): boolean;
  /** claims (ip, port) for this run; false if it is already claimed or done */
  claim(ip: string, port: number): boolean;
  write(record: ScanRecord): void;
  /** records already in the output when the run started (resume) */
  readonly resumedCount: number;
  flush(): void;
  close(): void;
}

export interface OutputOptions {
  resume: boolean;
  /** flush after this many records or this many ms, whichever comes first */
  batchRecords?: number;
  batchMs?: number;
}

export function statePathFor(outPath: string): string {
  return `${outPath}.state.sqlite`;
}

export function openRecordOutput(path: string, options: OutputOptions): RecordOutput {
  return path === "-" ? new StdoutOutput() : new FileOutput(path, options);
}

class FileOutput implements RecordOutput {
  private readonly fd: number;
  private readonly state: RunState;
  private readonly claimed = new Set<string>();
  private batch: ScanRecord[] = [];
  private length: number;
  private timer: NodeJS.Timeout | null = null;
  readonly resumedCount: number;

  constructor(
    path: string,
    private readonly options: OutputOptions,
  ) {
    const statePath = statePathFor(path);
    if (!options.resume) {
      for (const p of [statePath, `${statePath}-wal`, `${statePath}-shm`]) rmSync(p, { force: true });
    }
    this.state = new RunState(statePath);
    this.fd = openSync(path, options.resume && existsSync(path) ? "r+" : "w");
    if (options.resume) {
      // Cut off whatever was appended after the last commit (a half-written batch).
      const committed = this.state.committedBytes();
      const size = statSync(path).size;
      if (size < committed) throw new Error(`${path} is shorter than its run state says; cannot resume`);
      ftruncateSync(this.fd, committed);
      this.length = committed;
    } else {
      this.length = 0;
    }
    this.resumedCount = this.state.countDone();
  }

  has(ip: string, port: number): boolean {
    return this.claimed.has(`${ip}|${port}`) || this.state.isDone(ip, port);
  }

  claim(ip: string, port: number): boolean {
    const key = `${ip}|${port}`;
    if (this.claimed.has(key) || this.state.isDone(ip, port)) return false;
    this.claimed.add(key);
    return true;
  }

  write(record: ScanRecord): void {
    this.batch.push(record);
    if (this.batch.length >= (this.options.batchRecords ?? 256)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.batchMs ?? 500);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.batch.length === 0) return;
    const text = this.batch.map((r) => `${JSON.stringify(r)}\n`).join("");
    const bytes = Buffer.from(text, "utf8");
    let offset = 0;
    while (offset < bytes.length)
      offset += writeSync(this.fd, bytes, offset, bytes.length - offset, this.length + offset);
    fsyncSync(this.fd);
    this.length += bytes.length;
    this.state.commit(
      this.batch.map((r) => ({ ip: r.ip, port: r.port, status: r.status })),
      this.length,
    );
    // Claimed keys are now in the run state; the set only needs the ones still in flight.
    for (const r of this.batch) this.claimed.delete(`${r.ip}|${r.port}`);
    this.batch = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.state.close();
  }
}

/** stdout: no resume; duplicates within the run are dropped with an in-memory set. */
class StdoutOutput implements RecordOutput {
  private readonly seen = new Set<string>();
  readonly resumedCount = 0;

  has(ip: string, port: number): boolean {
    return this.seen.has(`${ip}|${port}`);
  }

  claim(ip: string, port: number): boolean {
    const key = `${ip}|${port}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  write(record: ScanRecord): void {
    process.stdout.write(`${JSON.stringify(record)}\n`);
  }

  flush(): void {}

  close(): void {}
}
