/**
 * Where records go: a JSON Lines file (with run state, so `--resume` works) or stdout.
 * A record is serialised once, when it is written; lines are batched: a batch is appended,
 * fsync'd, then committed to the run state.
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
  writevSync,
} from "node:fs";
import type { Status } from "../core/status.js";
import { KeyFilter } from "./key-filter.js";
import { LineEncoder } from "./line-encoder.js";
import { RunState } from "./run-state.js";
import type { ScanRecord } from "./schema.js";

export interface RecordOutput {
  /** true when (ip, port) already has a record (from an earlier run, or earlier in this one) */
  has(ip: string, port: number): boolean;
  /** claims (ip, port) for this run; false if it is already claimed or done */
  claim(ip: string, port: number): boolean;
  write(record: ScanRecord): void;
  /**
   * Records already serialised and encoded elsewhere (an engine worker): `lines` is their JSON
   * Lines in UTF-8, each ending in a newline, in the order of `keys`.
   */
  writeEncoded(keys: readonly RecordKey[], lines: Uint8Array): void;
  /** records already in the output when the run started (resume) */
  readonly resumedCount: number;
  flush(): void;
  close(): void;
}

/** What the run state keeps of a record. */
export interface RecordKey {
  ip: string;
  port: number;
  status: Status;
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
  /** serialised records not yet written (write) */
  private readonly text = new LineEncoder();
  /** batches encoded elsewhere (writeEncoded) */
  private encoded: Uint8Array[] = [];
  private batchKeys: RecordKey[] = [];
  /** every key committed to the run state: most lookups end here, without SQLite */
  private readonly committed = new KeyFilter();
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
    if (this.resumedCount > 0)
      for (const { ip, port } of this.state.doneKeys()) this.committed.add(`${ip}|${port}`);
  }

  has(ip: string, port: number): boolean {
    const key = `${ip}|${port}`;
    return this.claimed.has(key) || this.isCommitted(key, ip, port);
  }

  claim(ip: string, port: number): boolean {
    const key = `${ip}|${port}`;
    if (this.claimed.has(key) || this.isCommitted(key, ip, port)) return false;
    this.claimed.add(key);
    return true;
  }

  private isCommitted(key: string, ip: string, port: number): boolean {
    return this.committed.mayHave(key) && this.state.isDone(ip, port);
  }

  write(record: ScanRecord): void {
    this.text.add(JSON.stringify(record));
    this.batchKeys.push({ ip: record.ip, port: record.port, status: record.status });
    this.batched();
  }

  writeEncoded(keys: readonly RecordKey[], lines: Uint8Array): void {
    this.encoded.push(lines);
    for (const key of keys) this.batchKeys.push(key);
    this.batched();
  }

  private batched(): void {
    if (this.batchKeys.length >= (this.options.batchRecords ?? 1024)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.batchMs ?? 500);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.batchKeys.length === 0) return;
    const chunks = this.text.byteLength > 0 ? [this.text.take(), ...this.encoded] : this.encoded;
    this.length = writeAllAt(this.fd, chunks, this.length);
    fsyncSync(this.fd);
    this.state.commit(this.batchKeys, this.length);
    // Claimed keys are now in the run state; the set only needs the ones still in flight.
    for (const k of this.batchKeys) {
      const key = `${k.ip}|${k.port}`;
      this.committed.add(key);
      this.claimed.delete(key);
    }
    this.encoded = [];
    this.batchKeys = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.state.close();
  }
}

/**
 * Writes the chunks one after another from `position` (one writev, no concatenated copy; the
 * rest chunk by chunk if the kernel took less) and gives the position after them.
 */
function writeAllAt(fd: number, chunks: readonly Uint8Array[], position: number): number {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  let done = writevSync(fd, chunks as Uint8Array[], position);
  if (done === total) return position + total;
  let start = 0;
  for (const chunk of chunks) {
    const end = start + chunk.byteLength;
    while (done < end) {
      const from = done - start;
      done += writeSync(fd, chunk, from, chunk.byteLength - from, position + done);
    }
    start = end;
  }
  return position + total;
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

  writeEncoded(_keys: readonly RecordKey[], lines: Uint8Array): void {
    process.stdout.write(lines);
  }

  flush(): void {}

  close(): void {}
}
