/**
 * The baseline: a plain node:net connect loop with no engine, no records, no output. Each
 * session connects, reads the greeting and sends QUIT (`--mode banner`), or also says EHLO and
 * HELP first (`--mode dialogue`, the same commands as smtpsurvey's session without TLS, HELP and
 * QUIT in one write as the session pipelines them), reads the replies and closes.
 *
 *   node dist/bench/connect-loop.js --cidr 127.1.0.0/17 --port 25 --concurrency 10000 [--mode banner] [--sessions N]
 *   node dist/bench/connect-loop.js --endpoints 127.77.1.1:25,127.77.1.2:25 --seconds 10 --concurrency 100
 *
 * With --cidr every address is visited once; with --endpoints they are visited round robin
 * until --seconds have passed. Prints one JSON line (LoopResult) at the end.
 */
import { connect } from "node:net";
import { assertLoopback, ipv4Range, numberArg, parseArgs, sampleHeap, Tally } from "./common.js";

const args = parseArgs(process.argv.slice(2));
const concurrency = Math.max(1, Math.floor(numberArg(args, "concurrency")));
const mode = args.get("mode") ?? "banner";
const timeoutMs = numberArg(args, "timeout-ms", 20_000);
if (mode !== "banner" && mode !== "dialogue") throw new Error(`--mode banner|dialogue, not ${mode}`);

type Next = () => { ip: string; port: number } | undefined;
let next: Next;
let windowEnd = Number.POSITIVE_INFINITY;
const cidr = args.get("cidr");
const endpointList = args.get("endpoints");
if (cidr) {
  const range = ipv4Range(cidr);
  const port = numberArg(args, "port");
  // --sessions: only the first N addresses (the C client's --sessions does the same)
  const count = Math.min(range.count, numberArg(args, "sessions", range.count));
  let index = 0;
  next = () => (index < count ? { ip: range.at(index++), port } : undefined);
} else if (endpointList) {
  const endpoints = endpointList.split(",").map((text) => {
    const colon = text.lastIndexOf(":");
    return { ip: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
  });
  for (const e of endpoints) assertLoopback(e.ip);
  const deadline = performance.now() + numberArg(args, "seconds") * 1000;
  windowEnd = deadline;
  let index = 0;
  next = () => (performance.now() < deadline ? endpoints[index++ % endpoints.length] : undefined);
} else {
  throw new Error("--cidr or --endpoints is required");
}

const COMMANDS = mode === "banner" ? ["QUIT"] : ["EHLO bench.invalid", "HELP", "QUIT"];
/** EHLO's reply offers PIPELINING and no STARTTLS: then HELP and QUIT go in one write, as smtpsurvey's session sends them */
const PIPELINES = (reply: string) =>
  /^250[- ]PIPELINING\b/im.test(reply) && !/^250[- ]STARTTLS\b/im.test(reply);
const FINAL_LINE = /(?:^|\n)(\d{3})(?: [^\n]*)?\r?\n$/;

/** One session; resolves with its status (ok, or what went wrong). */
function session(ip: string, port: number): Promise<string> {
  assertLoopback(ip);
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, noDelay: true });
    let buffer = "";
    let step = 0; // replies read so far: 0 = waiting for the greeting
    let settled = false;
    let pipelined = false;
    const done = (status: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done(step === 0 ? "banner-timeout" : "reply-timeout"), timeoutMs);
    socket.setEncoding("latin1");
    socket.on("error", (error: NodeJS.ErrnoException) => done(error.code ?? "error"));
    socket.on("close", () => done(step === 0 ? "closed-before-banner" : "closed"));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      const m = FINAL_LINE.exec(buffer);
      if (!m) return;
      const reply = buffer;
      buffer = "";
      if (step === 0 && m[1] !== "220") {
        done(`greeting-${m[1]}`);
        return;
      }
      if (step === COMMANDS.length) {
        // a pipelined HELP's reply may come apart from QUIT's: that session ends with the 221
        if (!pipelined || m[1] === "221") done("ok");
        return;
      }
      if (COMMANDS[step] === "HELP" && PIPELINES(reply)) {
        socket.write("HELP\r\nQUIT\r\n");
        pipelined = true;
        step = COMMANDS.length;
        return;
      }
      socket.write(`${COMMANDS[step]}\r\n`);
      step += 1;
    });
  });
}

const tally = new Tally(windowEnd, Boolean(endpointList));
let inFlight = 0;
let peakInFlight = 0;

async function lane(): Promise<void> {
  for (let target = next(); target; target = next()) {
    inFlight += 1;
    if (inFlight > peakInFlight) peakInFlight = inFlight;
    const began = performance.now();
    const status = await session(target.ip, target.port);
    inFlight -= 1;
    tally.add(target.ip, status, performance.now() - began);
  }
}

const stopHeap = sampleHeap();
await Promise.all(Array.from({ length: concurrency }, lane));
process.stdout.write(`${JSON.stringify(tally.result(peakInFlight, stopHeap()))}\n`);
