/**
 * Starts the lab's real servers once for the lab test project and stops them (by PID) after.
 * Installing needs root and Debian's package archive the first time.
 */
import { installLab, startLab, stopLab } from "../../lab/manager.js";

export default async function setup(): Promise<() => Promise<void>> {
  await installLab();
  const manifest = await startLab();
  process.stderr.write(
    `lab: ${manifest.servers.length} servers up${manifest.skipped.length ? `, skipped: ${manifest.skipped.map((s) => `${s.name} (${s.reason})`).join("; ")}` : ""}\n`,
  );
  return async () => {
    await stopLab();
  };
}
