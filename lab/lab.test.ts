/**
 * The lab core against real daemons: install, start (Postfix ×2, Haraka, smtp-server), every endpoint
 * greets with 220, the lab DNS answers, and stop leaves no recorded process or descendant behind.
 */
import { Resolver } from "node:dns/promises";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DNS_IP } from "./dns.js";
import { installLab, type LabManifest, labStatusRows, startLab, stopLab } from "./manager.js";
import { labPaths } from "./paths.js";
import { collectTree, isSameProcess, type ProcStat } from "./proc.js";
import { isRoot } from "./run.js";
import { type PidEntry, readPids } from "./state.js";

const MINE = ["postfix", "postfix-stripped", "haraka", "smtp-server"];

/** The server's first line, read the way a client would before saying anything. */
function firstLine(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port });
    let buffered = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${ip}:${port}: no greeting within 10 s`));
    }, 10_000);
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      const end = buffered.indexOf("\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      socket.end("QUIT\r\n");
      resolve(buffered.slice(0, end));
    });
  });
}

describe.skipIf(!isRoot())("lab (real daemons on 127.77.0.0/16)", () => {
  let manifest: LabManifest;
  let recorded: PidEntry[] = [];

  /** Servers the project's global setup had already started: put back after the stop test. */
  let runningBefore: string[] = [];

  beforeAll(async () => {
    runningBefore = labStatusRows()
      .filter((row) => MINE.includes(row.name) && row.state === "running")
      .map((row) => row.name);
    await installLab({ only: MINE });
    manifest = await startLab({ only: MINE });
    recorded = readPids(labPaths()).filter((e) => MINE.includes(e.server));
  }, 600_000);

  afterAll(async () => {
    // leave the lab as this file found it: other lab tests may run after this one
    await stopLab({ only: MINE });
    if (runningBefore.length > 0) await startLab({ only: runningBefore });
  }, 120_000);

  it("starts every one of its servers, skipping none", () => {
    expect(manifest.skipped.filter((s) => MINE.includes(s.name))).toEqual([]);
    expect(manifest.servers.map((s) => s.name)).toEqual(expect.arrayContaining(MINE));
    const postfix = manifest.servers.find((s) => s.name === "postfix");
    expect(postfix?.product).toBe("Postfix");
    expect(postfix?.version).toMatch(/^3\.7\.\d+$/);
  });

  it("greets with 220 on every endpoint", async () => {
    for (const server of manifest.servers.filter((s) => MINE.includes(s.name))) {
      // implicit-TLS endpoints (Postfix's 465) greet only inside TLS
      for (const endpoint of server.endpoints.filter((e) => e.protocol === "smtp")) {
        const line = await firstLine(server.ip, endpoint.port);
        expect(line, `${server.name}:${endpoint.port}`).toMatch(/^220 /);
        expect(line).toContain(server.hostname);
      }
    }
  });

  it("hides the product in the stripped Postfix banner only", async () => {
    expect(await firstLine("127.77.1.1", 25)).toContain("ESMTP Postfix (Debian/GNU)");
    const stripped = await firstLine("127.77.1.2", 25);
    expect(stripped).toBe("220 postfix-stripped.lab.smtpsurvey.test ESMTP");
    expect(stripped).not.toMatch(/postfix \(|ESMTP Postfix/i);
  });

  it("answers the lab's names, their MX and PTR, and nothing else", async () => {
    const resolver = new Resolver();
    resolver.setServers([DNS_IP]);
    for (const server of manifest.servers.filter((s) => MINE.includes(s.name))) {
      expect(await resolver.resolve4(server.hostname)).toEqual([server.ip]);
      expect(await resolver.reverse(server.ip)).toContain(server.hostname);
      expect((await resolver.resolveMx(server.hostname)).map((mx) => mx.exchange)).toEqual([server.hostname]);
    }
    await expect(resolver.resolve4("example.com")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });

  it("stops every recorded process and its descendants, even orphaned ones", async () => {
    const tree: ProcStat[] = collectTree(recorded);
    // Postfix runs master + children, Haraka a cluster master + worker: more than one per server
    expect(tree.length).toBeGreaterThan(recorded.length);
    // postfix-script dies and leaves Postfix's master (its own session leader) to init: still ours to stop
    const script = recorded.find((e) => e.server === "postfix-stripped");
    if (script) process.kill(script.pid, "SIGKILL");
    await stopLab({ only: MINE });
    const survivors = tree.filter((p) => isSameProcess(p.pid, p.startTime));
    expect(survivors).toEqual([]);
    expect(readPids(labPaths()).filter((e) => MINE.includes(e.server))).toEqual([]);
  }, 60_000);
});
