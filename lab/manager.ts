/**
 * The lab manager: install what the servers need, start them (DNS first), stop them by PID, and
 * report what runs. The servers themselves are LabServer modules listed in lab/servers/index.ts.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { labCert } from "./certs.js";
import { DNS_IP, DNS_PORT, dnsLogFile, dnsmasqCommand, writeNameFiles } from "./dns.js";
import { installFor } from "./install.js";
import { launch, wrapInLabNamespace } from "./launch.js";
import { withLabLock } from "./lock.js";
import { labPaths, npmPackageDir } from "./paths.js";
import { collectTree, isSameProcess, terminate } from "./proc.js";
import { isRoot, run } from "./run.js";
import { allServers } from "./servers/index.js";
import {
  aliveEntries,
  DNS_ENTRY,
  isRunning,
  type LabManifest,
  type ManifestServer,
  type PidEntry,
  readManifest,
  readPids,
  recordedProcesses,
  writeManifest,
  writePids,
} from "./state.js";
import type { LabContext, LabPaths, LabServer } from "./types.js";
import { debVersionFile } from "./versions.js";
import { waitForEndpoint } from "./wait.js";

export type { LabManifest } from "./state.js";
export { formatStatus, labStatus, labStatusRows, type StatusRow } from "./status.js";

export interface LabOptions {
  /** server names; all servers when absent */
  only?: string[];
}

const say = (line: string) => process.stderr.write(`lab: ${line}\n`);

function requireRoot(action: string): void {
  if (!isRoot()) {
    throw new Error(
      `lab ${action} needs root (apt-get and useradd, port 25, mount namespaces); run it with sudo`,
    );
  }
}

function selectServers(only: string[] | undefined): LabServer[] {
  if (!only || only.length === 0) return allServers;
  const unknown = only.filter((name) => !allServers.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown lab server ${unknown.join(", ")} (known: ${allServers.map((s) => s.name).join(", ")})`,
    );
  }
  return allServers.filter((s) => only.includes(s.name));
}

function labContext(paths: LabPaths): LabContext {
  return { paths, dnsIp: DNS_IP, cert: (hostname) => labCert(paths, hostname) };
}

export async function installLab(opts: LabOptions = {}): Promise<void> {
  requireRoot("install");
  await withLabLock(labPaths(), "install", () => installUnlocked(opts));
}

async function installUnlocked(opts: LabOptions): Promise<void> {
  const failures = await installFor(labPaths(), selectServers(opts.only));
  if (failures.length > 0) {
    throw new Error(`lab install incomplete: ${failures.map((f) => `${f.what}: ${f.reason}`).join("; ")}`);
  }
}

/** Why a server cannot start yet, or undefined when everything it runs is on disk. */
function missingPieces(paths: LabPaths, ctx: LabContext, server: LabServer): string | undefined {
  for (const deb of server.unpack ?? []) {
    if (!existsSync(debVersionFile(deb)))
      return `package ${deb} not unpacked (run \`smtpsurvey lab install\`)`;
  }
  for (const spec of server.npm ?? []) {
    if (!existsSync(join(npmPackageDir(paths, spec), "package.json"))) {
      return `npm package ${spec} not installed (run \`smtpsurvey lab install\`)`;
    }
  }
  for (const command of server.commands(ctx)) {
    const binary = command.argv[0];
    if (binary && isAbsolute(binary) && !existsSync(binary)) return `binary ${binary} is missing`;
  }
  return undefined;
}

/** Stops whatever a server left behind (a crashed start, an orphaned worker) before starting it anew. */
async function clearLeftovers(entries: PidEntry[]): Promise<void> {
  if (entries.length > 0) await terminate(collectTree(recordedProcesses(entries)));
}

/** Notes the descendants an entry has now that its daemon is up (see PidEntry.descendants). */
function withDescendants(entry: PidEntry): PidEntry {
  const descendants = collectTree([entry])
    .filter((p) => p.pid !== entry.pid)
    .map((p) => ({ pid: p.pid, startTime: p.startTime }));
  return { ...entry, descendants };
}

function launchServer(paths: LabPaths, ctx: LabContext, server: LabServer): PidEntry[] {
  const commands = server.commands(ctx);
  const dir = paths.dir(server.name);
  return commands.map((command, i) => {
    const log = join(dir, commands.length === 1 ? "daemon.log" : `daemon-${i + 1}.log`);
    return launch(paths, server.name, command, log, dir);
  });
}

async function ensureDns(paths: LabPaths, entries: PidEntry[]): Promise<PidEntry[]> {
  const mine = entries.filter((e) => e.server === DNS_ENTRY);
  if (isRunning(entries, DNS_ENTRY)) {
    // dnsmasq rereads its --addn-hosts file (just rewritten) on SIGHUP
    for (const e of mine) process.kill(e.pid, "SIGHUP");
    return mine;
  }
  await clearLeftovers(mine);
  if (!existsSync("/usr/sbin/dnsmasq")) throw new Error("dnsmasq is missing (run `smtpsurvey lab install`)");
  const log = dnsLogFile(paths);
  const started = launch(paths, DNS_ENTRY, dnsmasqCommand(paths, allServers), log, paths.state);
  try {
    await waitForEndpoint(
      DNS_IP,
      DNS_PORT,
      "dns",
      () => isSameProcess(started.pid, started.startTime),
      10_000,
    );
  } catch (err) {
    await clearLeftovers([started]);
    throw new Error(`lab DNS (dnsmasq on ${DNS_IP}:53) did not start: ${(err as Error).message}; see ${log}`);
  }
  return [started];
}

/** Daemons that log on their own (Postfix's maillog, Exim's mainlog…) keep it in their directory. */
function logFilesUnder(dir: string, depth = 2): string[] {
  if (depth === 0 || !existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return logFilesUnder(path, depth - 1);
    return /log/i.test(entry.name) && statSync(path).size > 0 ? [path] : [];
  });
}

/** Waits for every endpoint; on failure stops what the server started and explains why. */
async function awaitServer(server: LabServer, started: PidEntry[]): Promise<string[]> {
  const alive = () => aliveEntries(started).length === started.length;
  try {
    const greetings: string[] = [];
    for (const endpoint of server.endpoints) {
      const line = await waitForEndpoint(server.ip, endpoint.port, endpoint.protocol, alive);
      if (line !== undefined) greetings.push(`${endpoint.port}: ${line}`);
    }
    return greetings;
  } catch (err) {
    await clearLeftovers(started);
    const logs = [
      ...new Set([...started.map((e) => e.log), ...logFilesUnder(dirname(started[0]?.log ?? "/"))]),
    ];
    throw new Error(`${(err as Error).message}; see ${logs.join(", ")}`);
  }
}

function manifestEntry(server: LabServer, entries: PidEntry[]): ManifestServer {
  return {
    name: server.name,
    product: server.product,
    version: server.version,
    banner_stripped: server.bannerStripped,
    starttls: server.offersStartTls ?? true,
    ip: server.ip,
    hostname: server.hostname,
    endpoints: server.endpoints.map((e) => ({ port: e.port, protocol: e.protocol })),
    pids: entries.filter((e) => e.server === server.name).map((e) => e.pid),
  };
}

export async function startLab(opts: LabOptions = {}): Promise<LabManifest> {
  requireRoot("start");
  return withLabLock(labPaths(), "start", () => startUnlocked(opts));
}

async function startUnlocked(opts: LabOptions): Promise<LabManifest> {
  const paths = labPaths();
  const ctx = labContext(paths);
  const selected = selectServers(opts.only);
  await writeNameFiles(paths, allServers);

  const recorded = readPids(paths);
  // keep only what is still running; a dead server's leftovers are cleared when it is started again
  let entries = recorded.filter((e) => isRunning(recorded, e.server));
  entries = [...entries.filter((e) => e.server !== DNS_ENTRY), ...(await ensureDns(paths, recorded))];
  await writePids(paths, entries);

  const skipped: LabManifest["skipped"] = [];
  const skip = (name: string, reason: string) => {
    skipped.push({ name, reason });
    say(`skipping ${name}: ${reason}`);
  };

  const launched: Array<{ server: LabServer; started: PidEntry[] }> = [];
  for (const server of selected) {
    if (isRunning(entries, server.name)) continue;
    await clearLeftovers(recorded.filter((e) => e.server === server.name));
    const missing = missingPieces(paths, ctx, server);
    if (missing) {
      skip(server.name, missing);
      continue;
    }
    try {
      await server.prepare(ctx);
      const started = launchServer(paths, ctx, server);
      launched.push({ server, started });
      entries = [...entries, ...started];
      // recorded at once, so `lab stop` finds them even if this start is interrupted
      await writePids(paths, entries);
    } catch (err) {
      skip(server.name, (err as Error).message);
    }
  }

  const outcomes = await Promise.allSettled(
    launched.map(({ server, started }) => awaitServer(server, started)),
  );
  outcomes.forEach((outcome, i) => {
    const item = launched[i];
    if (!item) return;
    if (outcome.status === "fulfilled") {
      entries = entries.map((e) => (e.server === item.server.name ? withDescendants(e) : e));
      say(`${item.server.name} up on ${item.server.ip} — ${outcome.value.join(" | ") || "listening"}`);
      return;
    }
    entries = entries.filter((e) => e.server !== item.server.name);
    skip(item.server.name, `failed to come up: ${(outcome.reason as Error).message}`);
  });
  await writePids(paths, entries);

  // servers this run did not try keep the reason an earlier start skipped them for
  const earlierSkips = (readManifest(paths)?.skipped ?? []).filter(
    (s) => !selected.some((server) => server.name === s.name) && !isRunning(entries, s.name),
  );
  const manifest: LabManifest = {
    started_at: new Date().toISOString(),
    dns: { ip: DNS_IP, port: DNS_PORT },
    servers: allServers.filter((s) => isRunning(entries, s.name)).map((s) => manifestEntry(s, entries)),
    skipped: [...earlierSkips, ...skipped],
  };
  await writeManifest(paths, manifest);
  return manifest;
}

async function runBeforeStop(paths: LabPaths, ctx: LabContext, entries: PidEntry[]): Promise<void> {
  for (const server of allServers) {
    if (!server.beforeStop || !isRunning(entries, server.name)) continue;
    const command = server.beforeStop(ctx);
    if (!command) continue;
    await run(wrapInLabNamespace(paths, command.argv), {
      cwd: command.cwd ?? paths.dir(server.name),
      env: command.env,
      allowFailure: true,
    });
  }
}

/**
 * Stops the given servers (all when `only` is absent) by recorded PID, with every descendant. The
 * lab DNS goes too once no server is left running.
 */
export async function stopLab(opts: LabOptions = {}): Promise<{ stopped: number }> {
  requireRoot("stop");
  return withLabLock(labPaths(), "stop", () => stopUnlocked(opts));
}

async function stopUnlocked(opts: LabOptions): Promise<{ stopped: number }> {
  const paths = labPaths();
  const entries = readPids(paths);
  const names = new Set(
    opts.only ? selectServers(opts.only).map((s) => s.name) : entries.map((e) => e.server),
  );
  const othersRunning = entries.some(
    (e) => e.server !== DNS_ENTRY && !names.has(e.server) && isSameProcess(e.pid, e.startTime),
  );
  if (!othersRunning) names.add(DNS_ENTRY);
  const stopping = entries.filter((e) => names.has(e.server));
  const remaining = entries.filter((e) => !names.has(e.server));

  await runBeforeStop(paths, labContext(paths), stopping);
  const procs = collectTree(recordedProcesses(stopping));
  const survivors = await terminate(procs, 5000);
  await writePids(paths, remaining);
  const manifest = readManifest(paths);
  const stillUp = manifest?.servers.filter((s) => !names.has(s.name)) ?? [];
  await writeManifest(paths, manifest && stillUp.length > 0 ? { ...manifest, servers: stillUp } : undefined);
  if (survivors.length > 0) {
    throw new Error(`lab stop: PIDs ${survivors.map((p) => p.pid).join(", ")} survived SIGKILL`);
  }
  return { stopped: procs.length };
}
