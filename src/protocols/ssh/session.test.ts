/**
 * The SSH session through the real engine against servers on loopback: an ssh2 Server (several
 * host keys; an old one that knows only ssh-rsa) and hand-written misbehaving ones. Each must end
 * in one status with what the server did say kept.
 *
 * server                              → status          ssh
 * ---------------------------------     --------------  ------------------------------------------
 * ssh2 with Ed25519, P-384, RSA keys  → ok              every key, each by its own handshake
 * ssh2 with RSA, ssh-rsa only         → ok              the RSA key via ssh-rsa (pre-8.8 servers)
 * silent                              → banner-timeout  null
 * an SMTP greeting                    → protocol-error  null (not an SSH server at all)
 * SSH-1.5 identification              → protocol-error  banner only
 * identification, then FIN            → closed          banner only
 * identification, then RST            → reset           banner only
 * identification, then junk           → protocol-error  banner only
 * identification + KEXINIT, silence   → ok              banner and lists; no keys: one timeout, then
 *                                                       no more handshakes (each would cost a timeout)
 */
import net, { type AddressInfo } from "node:net";
import { Server, utils } from "ssh2";
import { afterEach, describe, expect, it } from "vitest";
import { scanEndpoints } from "../../../test/support/scan.js";
import { kexinitPacket, SAMPLE_LISTS } from "../../../test/support/ssh-packets.js";
import { opensshFingerprint } from "../keys/ssh-key.js";
import { type ScanRecord, ScanRecordSchema } from "../record.js";

const SCOPE = ["127.77.201.0/24"];
let nextIp = 1;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Listens on a fresh lab address; `sockets` are destroyed at the end of the test. */
async function listen(
  server: net.Server | Server,
  sockets: Set<net.Socket> = new Set(),
): Promise<{ ip: string; port: number }> {
  const ip = `127.77.201.${nextIp++}`;
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { ip, port: (server.address() as AddressInfo).port };
}

/** A raw TCP server that runs `onConnection` for each connection. */
function rawServer(onConnection: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onConnection(socket);
  });
  return listen(server, sockets);
}

async function scanOne(endpoint: { ip: string; port: number }, replyTimeoutMs = 3000): Promise<ScanRecord> {
  const [record] = await scanEndpoints([{ ...endpoint, protocol: "ssh" }], { scope: SCOPE, replyTimeoutMs });
  if (!record) throw new Error("no record");
  ScanRecordSchema.parse(record);
  return record;
}

const blobOf = (publicKey: string) => Buffer.from(publicKey.split(" ")[1] ?? "", "base64");

describe("ssh session", () => {
  it("fetches every host key of an ssh2 server, one handshake per key", async () => {
    const keys = [
      utils.generateKeyPairSync("ed25519"),
      utils.generateKeyPairSync("ecdsa", { bits: 384 }),
      utils.generateKeyPairSync("rsa", { bits: 2048 }),
    ];
    const server = new Server({ hostKeys: keys.map((k) => k.private) }, (client) => {
      client.on("error", () => {});
    });
    const record = await scanOne(await listen(server));
    expect(record.status, record.error ?? "").toBe("ok");
    expect(record.ssh?.banner).toMatch(/^SSH-2\.0-/);
    expect(record.ssh?.kex?.host_key).toEqual(
      expect.arrayContaining(["ssh-ed25519", "ecdsa-sha2-nistp384", "rsa-sha2-512"]),
    );
    expect(record.ssh?.errors).toEqual([]);
    expect(record.ssh?.host_keys.map((k) => [k.type, k.algorithm, k.bits, k.fingerprint_sha256])).toEqual([
      ["ssh-ed25519", "ssh-ed25519", 256, opensshFingerprint(blobOf(keys[0]?.public ?? ""))],
      ["ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", 384, opensshFingerprint(blobOf(keys[1]?.public ?? ""))],
      ["ssh-rsa", "rsa-sha2-512", 2048, opensshFingerprint(blobOf(keys[2]?.public ?? ""))],
    ]);
    // three connections, each ended before authentication
    expect(new Set(record.transcript.map((t) => t.conn))).toEqual(new Set([0, 1, 2]));
  });

  it("falls back to ssh-rsa on a server that knows nothing newer", async () => {
    const rsa = utils.generateKeyPairSync("rsa", { bits: 2048 });
    const server = new Server(
      { hostKeys: [rsa.private], algorithms: { serverHostKey: ["ssh-rsa"] } },
      (client) => client.on("error", () => {}),
    );
    const record = await scanOne(await listen(server));
    expect(record.status).toBe("ok");
    expect(record.ssh?.kex?.host_key).toEqual(["ssh-rsa"]);
    expect(record.ssh?.host_keys.map((k) => [k.algorithm, k.fingerprint_sha256])).toEqual([
      ["ssh-rsa", opensshFingerprint(blobOf(rsa.public))],
    ]);
  });

  it("silence is banner-timeout, without an ssh part", async () => {
    const record = await scanOne(await rawServer(() => {}), 300);
    expect(record.status).toBe("banner-timeout");
    expect(record.ssh).toBeNull();
  });

  it("another protocol's greeting is protocol-error, and says what came", async () => {
    const record = await scanOne(await rawServer((s) => s.write("220 mx.example ESMTP\r\n")), 300);
    expect(record.status).toBe("protocol-error");
    expect(record.error).toMatch(/220 mx\.example ESMTP/);
    expect(record.ssh).toBeNull();
  });

  it("an SSH-1 only server is protocol-error with its banner", async () => {
    const record = await scanOne(await rawServer((s) => s.write("SSH-1.5-OldServer\r\n")));
    expect(record.status).toBe("protocol-error");
    expect(record.ssh).toMatchObject({ banner: "SSH-1.5-OldServer", kex: null, host_keys: [] });
  });

  it("hanging up after the identification is closed, banner kept", async () => {
    const record = await scanOne(await rawServer((s) => s.end("SSH-2.0-Bye\r\n")));
    expect(record.status).toBe("closed");
    expect(record.ssh?.banner).toBe("SSH-2.0-Bye");
  });

  it("a reset after the identification is reset, banner kept", async () => {
    const endpoint = await rawServer((s) => {
      s.write("SSH-2.0-Reset\r\n");
      // after our identification arrives: an RST, not a FIN
      s.once("data", () => s.resetAndDestroy());
    });
    const record = await scanOne(endpoint);
    expect(record.status).toBe("reset");
    expect(record.ssh?.banner).toBe("SSH-2.0-Reset");
  });

  it("junk after the identification is protocol-error", async () => {
    const record = await scanOne(
      await rawServer((s) => s.write("SSH-2.0-Junk\r\nHTTP/1.1 400 Bad Request\r\n\r\n")),
    );
    expect(record.status).toBe("protocol-error");
    expect(record.error).toMatch(/not SSH/);
    expect(record.ssh?.banner).toBe("SSH-2.0-Junk");
  });

  it("a KEXINIT and then silence is ok: lists kept, one timeout, no further tries", async () => {
    const endpoint = await rawServer((s) =>
      s.write(Buffer.concat([Buffer.from("SSH-2.0-Stall\r\n"), kexinitPacket(SAMPLE_LISTS)])),
    );
    const record = await scanOne(endpoint, 300);
    expect(record.status).toBe("ok");
    expect(record.ssh?.kex).toEqual(SAMPLE_LISTS);
    expect(record.ssh?.host_keys).toEqual([]);
    expect(record.ssh?.errors).toEqual([
      { algorithm: "ssh-ed25519", error: "no host key before the reply timeout" },
      { algorithm: "ecdsa-sha2-nistp256", error: "not tried: the first handshake timed out" },
      { algorithm: "rsa-sha2-512", error: "not tried: the first handshake timed out" },
    ]);
    expect(new Set(record.transcript.map((t) => t.conn))).toEqual(new Set([0]));
  });
});
