/**
 * Starts the lab's real servers once for the lab test project and stops (by PID) the ones it
 * started. Servers that were already running (someone else's `lab start`) are left running:
 * the lab state is shared, and pulling it from under another run would fail that run.
 * Installing needs root and Debian's package archive the first time.
 */
import { installLab, startLab, stopLab } from "../../lab/manager.js";
import { labPaths } from "../../lab/paths.js";
import { isRunning, readPids } from "../../lab/state.js";

export default async function setup(): Promise<() => Promise<void>> {
  const pids = readPids(labPaths());
  const runningBefore = new Set(pids.map((e) => e.server).filter((name) => isRunning(pids, name)));
  await installLab();
  const manifest = await startLab();
  process.stderr.write(
    `lab: ${manifest.servers.length} servers up${manifest.skipped.length ? `, skipped: ${manifest.skipped.map((s) => `${s.name} (${s.reason})`).join("; ")}` : ""}\n`,
  );
  const startedHere = manifest.servers.map((s) => s.name).filter((name) => !runningBefore.has(name));
  return async () => {
    // the lab DNS goes too once no server is left (stopLab's rule)
    if (startedHere.length > 0) await stopLab({ only: startedHere });
  };
}
