/**
 * A well-behaved little SMTP server for engine tests (misbehaving ones live in test/hostile):
 * it counts connections and concurrent sessions, and can delay its banner.
 */
import { createServer, type Server, type Socket } from "node:net";

export interface FakeSmtp {
  ip: string;
  ports: number[];
  connections: number;
  peakConcurrent: number;
  /** performance.now() of every accepted connection */
  acceptedAt: number[];
  close(): Promise<void>;
}

export async function startFakeSmtp(
  ip: string,
  options: { ports?: number; bannerDelayMs?: number } = {},
): Promise<FakeSmtp> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let active = 0;
  const fake: FakeSmtp = {
    ip,
    ports: [],
    connections: 0,
    peakConcurrent: 0,
    acceptedAt: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
  const handle = (socket: Socket) => {
    sockets.add(socket);
    fake.connections += 1;
    fake.acceptedAt.push(performance.now());
    active += 1;
    fake.peakConcurrent = Math.max(fake.peakConcurrent, active);
    // A session counts as active until QUIT is answered or the socket closes: the client frees
    // its slot on the 221, before this side sees the close.
    let counted = true;
    const done = () => {
      if (counted) active -= 1;
      counted = false;
    };
    socket.on("close", () => {
      done();
      sockets.delete(socket);
    });
    socket.on("error", () => {});
    const greet = () => socket.writable && socket.write("220 fake.smtpsurvey.test ESMTP ready\r\n");
    if (options.bannerDelayMs) setTimeout(greet, options.bannerDelayMs);
    else greet();
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i).trim();
        buffer = buffer.slice(i + 1);
        if (/^EHLO \S/i.test(line))
          socket.write("250-fake.smtpsurvey.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
        else if (/^EHLO$/i.test(line)) socket.write("501 5.5.4 Syntax: EHLO hostname\r\n");
        else if (/^HELP/i.test(line)) socket.write("214 2.0.0 See RFC 5321\r\n");
        else if (/^QUIT/i.test(line)) {
          done();
          socket.end("221 2.0.0 Bye\r\n");
        } else socket.write("502 5.5.2 Error: command not recognized\r\n");
      }
    });
  };
  for (let k = 0; k < (options.ports ?? 1); k++) {
    const server = createServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, ip, () => resolve());
    });
    servers.push(server);
    const address = server.address();
    if (address && typeof address === "object") fake.ports.push(address.port);
  }
  return fake;
}
