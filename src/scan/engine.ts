/**
 * The scan engine: pulls jobs from an async stream, applies scope, the global concurrency cap
 * and connection rate, the per-IP caps and the timeouts, hands each connection to the job's
 * protocol, and emits exactly one record per job. The only code that opens sockets (with
 * connect.ts and channel.ts beside it).
 *
 * The scheduler is hand-written: no library combines a streamed source, a global cap, a global
 * rate and per-key caps and rates without buffering the stream or costing O(n) per start.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Pacer, Semaphore } from "../core/pacing.js";
import { DEFAULT_PREFIX_BITS } from "../core/prefix.js";
import type { Scope } from "../core/scope.js";
import type { Status } from "../core/status.js";
// blank-record.js, not store/schema.js: the record schema (and zod) stays out of engine threads
import { blankRecord } from "../protocols/blank-record.js";
import type {
  ConnectOptions,
  ConnectResult,
  Protocol,
  ProtocolOptions,
  SessionContext,
  SessionOutcome,
} from "../protocols/types.js";
import type { ScanRecord, TranscriptEntry } from "../store/schema.js";
import { SocketChannel } from "./channel.js";
import { openTcp, ReadRoute } from "./connect.js";
import { PerIpLimiter, PrefixPacers } from "./limits.js";
import type { LiveRates } from "./live-rates.js";
import { ReverseNames } from "./reverse-dns.js";

export interface ScanJob {
  ip: string;
  port: number;
  protocol: string;
  /** the host name the target was given as, if any */
  name?: string | null;
  /** where the target came from (--country, --asn, --mmdb): copied into the record */
  country?: string;
  asn?: number;
}

export interface EngineOptions {
  scope: Scope;
  /** most sessions in flight at once */
  concurrency: number;
  /** new connections per second over the whole scan; 0 = unlimited */
  rate: number;
  /** most connections at once to one IP */
  perIpConcurrency: number;
  /** new connections per second to one IP; 0 = unlimited */
  perIpRate: number;
  /** new connections per second to one prefix (IPv4 /prefixBits, IPv6 /(prefixBits + 24)); 0 or absent = unlimited */
  perPrefixRate?: number;
  /** the IPv4 prefix length --per-prefix-rate counts by (24 when absent) */
  prefixBits?: number;
  /** rate and per-prefix rate that change while the scan runs (a distributed worker's share) */
  live?: LiveRates;
  connectTimeoutMs: number;
  /** cap on one connection's whole life */
  sessionTimeoutMs: number;
  lineBytes: number;
  sessionBytes: number;
  protocol: ProtocolOptions;
  /** stop pulling new jobs when aborted; sessions in flight finish within their timeouts */
  signal?: AbortSignal;
  /** DNS servers for reverse lookups (tls.names.ptr); the machine's resolver when absent */
  resolvers?: readonly string[];
  /** keep each record's transcript (--no-transcripts: an empty list, about a third of a record) */
  transcripts: boolean;
}

export const ENGINE_DEFAULTS = {
  concurrency: 1000,
  rate: 0,
  perIpConcurrency: 4,
  perIpRate: 10,
  connectTimeoutMs: 10_000,
  sessionTimeoutMs: 120_000,
  lineBytes: 8 * 1024,
  sessionBytes: 256 * 1024,
  transcripts: true,
} as const;

export interface ScanStats {
  jobs: number;
  byStatus: Partial<Record<Status, number>>;
  /** how many sessions were in flight at most */
  peakInFlight: number;
  interrupted: boolean;
}

export type ProtocolLookup = (name: string) => Protocol | undefined;

export type RecordSink = (record: ScanRecord) => void | Promise<void>;

export async function runScan(
  jobs: AsyncIterable<ScanJob>,
  protocols: ProtocolLookup,
  options: EngineOptions,
  sink: RecordSink,
): Promise<ScanStats> {
  const pacer = new Pacer(options.live?.share.rate ?? options.rate);
  const perIp = new PerIpLimiter(options.perIpConcurrency, options.perIpRate);
  const perPrefixRate = options.live?.share.perPrefixRate ?? options.perPrefixRate ?? 0;
  const prefixes =
    perPrefixRate > 0 || (options.perPrefixRate ?? 0) > 0
      ? new PrefixPacers(perPrefixRate, options.prefixBits ?? DEFAULT_PREFIX_BITS)
      : null;
  const unsubscribe = options.live?.subscribe((share) => {
    pacer.setRate(share.rate);
    prefixes?.setRate(share.perPrefixRate);
  });
  try {
    return await scanJobs(jobs, protocols, options, sink, { pacer, perIp, prefixes });
  } finally {
    unsubscribe?.();
  }
}

interface Limiters {
  pacer: Pacer;
  perIp: PerIpLimiter;
  prefixes: PrefixPacers | null;
}

async function scanJobs(
  jobs: AsyncIterable<ScanJob>,
  protocols: ProtocolLookup,
  options: EngineOptions,
  sink: RecordSink,
  limiters: Limiters,
): Promise<ScanStats> {
  const slots = new Semaphore(options.concurrency);
  const reverse = new ReverseNames(options.resolvers);
  const stats: ScanStats = { jobs: 0, byStatus: {}, peakInFlight: 0, interrupted: false };
  let inFlight = 0;
  let sinkChain: Promise<void> | null = null;
  let drained: (() => void) | null = null;
  let sinkError: unknown = null;
  const failSink = (error: unknown) => {
    sinkError ??= error;
  };

  const emit = (record: ScanRecord) => {
    stats.byStatus[record.status] = (stats.byStatus[record.status] ?? 0) + 1;
    // Records go to the sink one at a time, in completion order: at once while the sink is
    // synchronous (no promise per record), behind the last one once it has returned a promise.
    if (sinkChain) {
      sinkChain = sinkChain.then(() => sink(record)).catch(failSink);
      return;
    }
    try {
      const pending = sink(record);
      if (pending) sinkChain = pending.catch(failSink);
    } catch (error) {
      failSink(error);
    }
  };

  const finish = () => {
    inFlight -= 1;
    slots.release();
    if (inFlight === 0 && drained) drained();
  };

  for await (const job of jobs) {
    if (options.signal?.aborted) {
      stats.interrupted = true;
      break;
    }
    if (sinkError) throw sinkError;
    stats.jobs += 1;
    const verdict = options.scope.check(job.ip);
    if (!verdict.allowed) {
      emit(failedRecord(job, "out-of-scope", verdict.reason, new Date(), 0));
      continue;
    }
    const wait = slots.acquire();
    if (wait) await wait;
    inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    runJob(job, protocols, options, limiters, reverse)
      .then(emit, (error: unknown) =>
        emit(failedRecord(job, "internal-error", describe(error), new Date(), 0)),
      )
      .finally(finish);
  }
  if (options.signal?.aborted) stats.interrupted = true;
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  // every session has ended, so nothing more is chained
  if (sinkChain) await sinkChain;
  if (sinkError) throw sinkError;
  return stats;
}

async function runJob(
  job: ScanJob,
  protocols: ProtocolLookup,
  options: EngineOptions,
  { pacer, perIp, prefixes }: Limiters,
  reverse: ReverseNames,
): Promise<ScanRecord> {
  const startedAt = new Date();
  const origin = performance.now();
  const protocol = protocols(job.protocol);
  if (!protocol) {
    return failedRecord(job, "internal-error", `no protocol named ${job.protocol}`, startedAt, 0);
  }
  const transcript: TranscriptEntry[] = [];
  const open: SocketChannel[] = [];
  let connections = 0;

  const connectOnce = async (connectOptions?: ConnectOptions): Promise<ConnectResult> => {
    const conn = connections++;
    const entered = perIp.enter(job.ip);
    const release = typeof entered === "function" ? entered : await entered;
    const now = performance.now();
    const scanDelay = pacer.reserve(now);
    // the later of the two slots: neither the scan's rate nor the prefix's is exceeded
    const delay = prefixes ? Math.max(scanDelay, prefixes.reserve(job.ip, now)) : scanDelay;
    if (delay > 0) await sleep(delay);
    transcript.push({
      t: Math.round(performance.now() - origin),
      conn,
      dir: "I",
      data: `connect ${job.ip}:${job.port}`,
    });
    const route = connectOptions?.stream ? undefined : new ReadRoute();
    const tcp = await openTcp(job.ip, job.port, options.connectTimeoutMs, route);
    if (!tcp.ok) {
      release();
      transcript.push({
        t: Math.round(performance.now() - origin),
        conn,
        dir: "I",
        data: `connect failed: ${tcp.error}`,
      });
      return tcp;
    }
    const channel = new SocketChannel(
      tcp.socket,
      job.ip,
      job.port,
      conn,
      transcript,
      {
        lineBytes: options.lineBytes,
        sessionBytes: options.sessionBytes,
        sessionDeadline: performance.now() + options.sessionTimeoutMs,
      },
      { origin },
      release,
      route ?? null,
    );
    open.push(channel);
    return { ok: true, channel };
  };

  const context: SessionContext = {
    ip: job.ip,
    port: job.port,
    options: options.protocol,
    connect: connectOnce,
    reverseName: () => reverse.lookup(job.ip),
  };
  let outcome: SessionOutcome;
  try {
    outcome = await protocol.run(context);
  } catch (error) {
    outcome = { status: "internal-error", error: describe(error), fields: {} };
  } finally {
    for (const channel of open) channel.close();
  }
  // filled in place: every part's key is already in the blank record, so the record keeps one
  // shape (spreads made each a slow, dictionary-like object, and JSON.stringify slower with it)
  const record = failedRecord(
    job,
    outcome.status,
    outcome.error,
    startedAt,
    Math.round(performance.now() - origin),
  );
  Object.assign(record, outcome.fields);
  record.transcript = options.transcripts ? transcript : [];
  return record;
}

/** A record with no protocol part (blankRecord): the base of every record, and the whole of a failed one. */
export function failedRecord(
  job: ScanJob,
  status: Status,
  error: string | null,
  startedAt: Date,
  durationMs: number,
): ScanRecord {
  return blankRecord({
    ip: job.ip,
    port: job.port,
    protocol: job.protocol,
    name: job.name ?? null,
    // blankRecord leaves out what the target did not carry
    country: job.country,
    asn: job.asn,
    status,
    error,
    started_at: startedAt.toISOString(),
    duration_ms: durationMs,
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
