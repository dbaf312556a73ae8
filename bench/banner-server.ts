/**
 * A trivial SMTP server for the benchmark: `220 bench ESMTP`, a multi-line 250 to EHLO, 250 to
 * HELO, 214 to HELP, 221 to QUIT (then it closes), 502 to anything else. No TLS, no mail.
 *
 *   node dist/bench/banner-server.js --port 25 [--host 0.0.0.0] [--delay-ms 0] [--workers 1]
 *
 * --delay-ms holds every connection that long before the banner, so that thousands of sessions
 * are really in flight at once. --workers > 1 forks that many processes that all accept on the
 * one listening socket (cluster with SCHED_NONE: the kernel hands out connections, the primary
 * does not relay them). Prints `ready <port>` on stdout once every worker listens. Every
 * connection is cut after --max-life-ms (default 60 s), and the server exits by itself after
 * --max-seconds (default 1800) or as soon as the process that started it is gone.
 */
import cluster from "node:cluster";
import { createServer, type Socket } from "node:net";
import { numberArg, parseArgs } from "./common.js";

const args = parseArgs(process.argv.slice(2));
const port = numberArg(args, "port");
const host = args.get("host") ?? "0.0.0.0";
const delayMs = numberArg(args, "delay-ms", 0);
const workers = Math.max(1, Math.floor(numberArg(args, "workers", 1)));
const maxLifeMs = numberArg(args, "max-life-ms", 60_000);
const maxSeconds = numberArg(args, "max-seconds", 1800);

// Bounded: never outlive the benchmark that started this server.
const parent = process.ppid;
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();

const EHLO =
  "250-bench Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on("error", () => {});
  const life = setTimeout(() => socket.destroy(), maxLifeMs);
  socket.on("close", () => clearTimeout(life));
  let pending = "";
  let greeted = false;
  const greet = () => {
    if (socket.destroyed) return;
    greeted = true;
    socket.write("220 bench ESMTP\r\n");
    answer();
  };
  const answer = () => {
    for (;;) {
      const end = pending.indexOf("\n");
      if (end < 0) break;
      const line = pending.slice(0, end).replace(/\r$/, "");
      pending = pending.slice(end + 1);
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === "EHLO") socket.write(EHLO);
      else if (verb === "HELO") socket.write("250 bench\r\n");
      else if (verb === "HELP") socket.write("214 2.0.0 bench: EHLO HELO HELP NOOP QUIT\r\n");
      else if (verb === "NOOP") socket.write("250 2.0.0 OK\r\n");
      else if (verb === "QUIT") {
        socket.end("221 2.0.0 bench closing\r\n");
        return;
      } else socket.write("502 5.5.2 not implemented\r\n");
    }
    if (pending.length > 4096) socket.destroy();
  };
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    pending += chunk;
    if (greeted) answer();
  });
  if (delayMs > 0) setTimeout(greet, delayMs);
  else greet();
}

function listen(): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true }, serve);
    server.maxConnections = 1_000_000;
    server.once("error", reject);
    server.listen({ port, host, backlog: 65_535 }, () => resolve());
  });
}

if (workers === 1) {
  await listen();
  process.stdout.write(`ready ${port}\n`);
} else if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let listening = 0;
  cluster.on("listening", () => {
    listening += 1;
    if (listening === workers) process.stdout.write(`ready ${port}\n`);
  });
  cluster.on("exit", (worker, code) => {
    process.stderr.write(`banner-server: worker ${worker.process.pid} exited ${code}\n`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  await listen();
}
