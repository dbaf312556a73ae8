/**
 * smtpsurvey's engine through its programmatic API (runScan), fed a job stream that yields the
 * given endpoints round robin until --seconds have passed: a grab's output file holds one record
 * per (ip, port), so repeating endpoints needs the API, not the CLI. Every record is serialised
 * as the CLI would (JSON.stringify) but not written to disk. With --cidr (and --port) it visits
 * every address of the range once instead: the engine without the CLI's output file and run state.
 *
 *   node dist/bench/engine-loop.js --endpoints 127.77.1.1:25,127.77.1.2:25 --seconds 10 \
 *     --concurrency 100 [--starttls auto] [--scope 127.77.0.0/16]
 *   node dist/bench/engine-loop.js --cidr 127.1.0.0/17 --port 25 --concurrency 10000 --scope 127.1.0.0/17
 *
 * Prints one JSON line (LoopResult, plus the peak JS heap seen) at the end.
 */

import { Scope } from "../src/core/scope.js";
import { protocolForPort, protocolNamed } from "../src/protocols/registry.js";
import { ENGINE_DEFAULTS, type EngineOptions, runScan, type ScanJob } from "../src/scan/engine.js";
import {
  assertLoopback,
  ipv4Range,
  type LoopResult,
  numberArg,
  parseArgs,
  sampleHeap,
  Tally,
} from "./common.js";

const args = parseArgs(process.argv.slice(2));
const concurrency = Math.max(1, Math.floor(numberArg(args, "concurrency")));
const starttls = args.get("starttls") ?? "auto";
if (starttls !== "auto" && starttls !== "never" && starttls !== "always") {
  throw new Error(`--starttls auto|never|always, not ${starttls}`);
}
const cidr = args.get("cidr");
const endpointList = args.get("endpoints");
let jobs: () => AsyncGenerator<ScanJob>;
let windowEnd = Number.POSITIVE_INFINITY;
if (cidr) {
  const range = ipv4Range(cidr);
  const port = numberArg(args, "port");
  const protocol = protocolForPort(port);
  jobs = async function* () {
    for (let i = 0; i < range.count; i++) yield { ip: range.at(i), port, protocol };
  };
} else if (endpointList) {
  const endpoints: ScanJob[] = endpointList.split(",").map((text) => {
    const colon = text.lastIndexOf(":");
    const ip = text.slice(0, colon);
    const port = Number(text.slice(colon + 1));
    assertLoopback(ip);
    return { ip, port, protocol: protocolForPort(port) };
  });
  const deadline = performance.now() + numberArg(args, "seconds") * 1000;
  windowEnd = deadline;
  jobs = async function* () {
    for (let i = 0; performance.now() < deadline; i++) yield endpoints[i % endpoints.length] as ScanJob;
  };
} else {
  throw new Error("--cidr or --endpoints is required");
}

const options: EngineOptions = {
  ...ENGINE_DEFAULTS,
  scope: Scope.parse(args.get("scope") ?? "127.77.0.0/16"),
  concurrency,
  rate: 0,
  perIpConcurrency: concurrency,
  perIpRate: 0,
  connectTimeoutMs: 10_000,
  sessionTimeoutMs: 60_000,
  protocol: { ehloName: "bench.invalid", starttls, replyTimeoutMs: 20_000, probes: [] },
};

// The JS heap's high-water mark: how much of the peak RSS is JS objects.
const stopHeap = sampleHeap();
const tally = new Tally(windowEnd, !cidr);
let bytes = 0;
const stats = await runScan(jobs(), protocolNamed, options, (record) => {
  bytes += JSON.stringify(record).length;
  tally.add(record.ip, record.status, record.duration_ms ?? 0);
});
const result: LoopResult & { recordBytes: number } = {
  ...tally.result(stats.peakInFlight, stopHeap()),
  recordBytes: bytes,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
