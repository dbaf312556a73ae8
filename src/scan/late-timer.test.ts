/**
 * A reply that came in time while the event loop was busy past its deadline is still read: the
 * loop runs expired timers before it polls the sockets, and a reader that gave up at once would
 * call it a timeout (seen as lost QUIT replies when the probe planner held a thread for tens of
 * milliseconds). The server runs in a process of its own, so blocking this loop does not stop it.
 * The channel keeps one timer for all its reads (and the session cap): each read still ends at
 * its own deadline.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SocketChannel } from "./channel.js";
import { openTcp, ReadRoute } from "./connect.js";

const IP = "127.77.235.1";

/** A line-reading channel to the server, on the bare handle (with its read route) or net.Socket. */
async function channelTo(port: number, transport: "raw" | "net"): Promise<SocketChannel> {
  const route = transport === "raw" ? new ReadRoute() : undefined;
  const tcp = await openTcp(IP, port, 2000, route);
  if (!tcp.ok) throw new Error(tcp.error);
  return new SocketChannel(
    tcp.socket,
    IP,
    port,
    0,
    [],
    { lineBytes: 8192, sessionBytes: 1 << 20, sessionDeadline: performance.now() + 10_000 },
    { origin: performance.now() },
    () => {},
    route ?? null,
  );
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the loop is held, as by a long computation
  }
}

describe("a line read past a late deadline", () => {
  let server: ChildProcess;
  let port = 0;
  beforeAll(async () => {
    server = spawn(
      process.execPath,
      [
        "-e",
        `const s = require("node:net").createServer((c) => setTimeout(() => c.write("220 late ESMTP\\r\\n"), 30));
         s.listen(0, ${JSON.stringify(IP)}, () => console.log(s.address().port));`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const [data] = (await once(server.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
    port = Number(data.toString().trim());
  });
  afterAll(() => {
    server.kill("SIGTERM");
  });

  for (const transport of ["raw", "net"] as const) {
    it(`is delivered, not timed out (${transport})`, async () => {
      const channel = await channelTo(port, transport);
      const line = channel.readLine(channel.deadlineIn(100));
      // the reply comes at 30 ms; the loop is held until 300 ms, past the 100 ms deadline
      busy(300);
      await expect(line.then((b) => b.toString())).resolves.toBe("220 late ESMTP");
      channel.close();
    });
  }

  it("times each read by its own deadline, with one timer for them all", async () => {
    // a line at 30 ms, then silence: the first read ends early, each next one at its deadline
    for (const [first, second] of [
      [1000, 100],
      [60, 250],
    ] as const) {
      const channel = await channelTo(port, "raw");
      await expect(channel.readLine(channel.deadlineIn(first)).then((b) => b.toString())).resolves.toBe(
        "220 late ESMTP",
      );
      const began = performance.now();
      await expect(channel.readLine(channel.deadlineIn(second))).rejects.toMatchObject({
        failure: "timeout",
      });
      const waited = performance.now() - began;
      expect(waited).toBeGreaterThanOrEqual(second - 5);
      expect(waited).toBeLessThan(second + 400);
      channel.close();
    }
  });

  it("still times out when nothing came", async () => {
    const channel = await channelTo(port, "raw");
    await expect(channel.readLine(channel.deadlineIn(10))).rejects.toMatchObject({ failure: "timeout" });
    channel.close();
  });
});
