/** `smtpsurvey lab install|start|stop|status|targets`: the real servers used by tests, the demo and benchmarks. */
import type { Command } from "commander";
import { installLab, labStatus, startLab, stopLab } from "../../lab/manager.js";
import { labPaths } from "../../lab/paths.js";
import { readManifest } from "../../lab/state.js";

/** Lab failures are one line on stderr and exit 2, like every other refusal of the CLI. */
async function runOrExit(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`smtpsurvey: ${message.replace(/\s*\n\s*/g, " ")}\n`);
    process.exit(2);
  }
}

const serverList = (text: string): string[] =>
  text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);

export function register(program: Command): void {
  const lab = program
    .command("lab")
    .description("install, start, stop and list the local lab of real mail servers (127.77.0.0/16)");

  lab
    .command("install")
    .description("install the packages the lab servers need (root; apt-get, npm)")
    .option("--only <names>", "only these servers, comma-separated")
    .action((flags: { only?: string }) =>
      runOrExit(async () => {
        const started = Date.now();
        await installLab({ only: flags.only ? serverList(flags.only) : undefined });
        process.stderr.write(`lab: installed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      }),
    );

  lab
    .command("start")
    .description("start the lab's DNS and servers; already running ones are left alone")
    .option("--only <names>", "only these servers, comma-separated")
    .action((flags: { only?: string }) =>
      runOrExit(async () => {
        const started = Date.now();
        const manifest = await startLab({ only: flags.only ? serverList(flags.only) : undefined });
        process.stderr.write(
          `lab: ${manifest.servers.length} server(s) running, ${manifest.skipped.length} skipped, ` +
            `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
      }),
    );

  lab
    .command("stop")
    .description("stop the lab's processes by recorded PID (all, or --only some servers)")
    .option("--only <names>", "only these servers, comma-separated")
    .action((flags: { only?: string }) =>
      runOrExit(async () => {
        const { stopped } = await stopLab({ only: flags.only ? serverList(flags.only) : undefined });
        process.stderr.write(`lab: stopped ${stopped} process(es)\n`);
      }),
    );

  lab
    .command("status")
    .description("list the lab's servers, addresses and whether they run")
    .action(() => runOrExit(async () => labStatus()));

  lab
    .command("targets")
    .description("print the running lab servers' addresses, one a line (a targets file for grab)")
    .action(() =>
      runOrExit(async () => {
        const manifest = readManifest(labPaths());
        if (!manifest || manifest.servers.length === 0)
          throw new Error("the lab is not running: smtpsurvey lab start");
        process.stdout.write(`${manifest.servers.map((s) => s.ip).join("\n")}\n`);
      }),
    );
}
