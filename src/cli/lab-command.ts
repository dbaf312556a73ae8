/** `smtpsurvey lab install|start|stop|status|targets`: the real servers used by tests, the demo and benchmarks. */
import type { Command } from "commander";
import { installLab, labStatus, startLab, stopLab } from "../../lab/manager.js";
import { labPaths } from "../../lab/paths.js";
import { readManifest } from "../../lab/state.js";
import { addExamples } from "./examples.js";

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
  // a developer's tool (the tests', the demo's and the benchmarks' servers), listed apart
  const lab = program
    .command("lab")
    .helpGroup("Developer commands:")
    .description("install, start, stop and list the local lab of real mail servers (127.77.0.0/16)");
  addExamples(lab, [
    ["sudo smtpsurvey lab install", "the packages the lab's servers need (once)"],
    ["sudo smtpsurvey lab start --only postfix,exim", "two of the servers"],
    ["smtpsurvey lab status", "what runs, on which addresses"],
    ["smtpsurvey lab targets > lab.txt", "the running servers as a targets file for grab -i"],
    ["sudo smtpsurvey lab stop", "stop everything the lab started, by recorded PID"],
  ]);

  const install = lab
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

  const start = lab
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

  const stop = lab
    .command("stop")
    .description("stop the lab's processes by recorded PID (all, or --only some servers)")
    .option("--only <names>", "only these servers, comma-separated")
    .action((flags: { only?: string }) =>
      runOrExit(async () => {
        const { stopped } = await stopLab({ only: flags.only ? serverList(flags.only) : undefined });
        process.stderr.write(`lab: stopped ${stopped} process(es)\n`);
      }),
    );

  const status = lab
    .command("status")
    .description("list the lab's servers, addresses and whether they run")
    .action(() => runOrExit(async () => labStatus()));

  const targets = lab
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
  addExamples(install, [
    ["sudo smtpsurvey lab install", "every server's packages"],
    ["sudo smtpsurvey lab install --only postfix", "one server's"],
  ]);
  addExamples(start, [
    ["sudo smtpsurvey lab start", "the DNS server and every server"],
    ["sudo smtpsurvey lab start --only postfix,exim", "two of them"],
  ]);
  addExamples(stop, [
    ["sudo smtpsurvey lab stop", "everything the lab started"],
    ["sudo smtpsurvey lab stop --only exim", "one server"],
  ]);
  addExamples(status, [["smtpsurvey lab status", "the servers, their addresses and whether they run"]]);
  addExamples(targets, [
    ["smtpsurvey lab targets > lab.txt", "a targets file"],
    ["smtpsurvey grab -i lab.txt -p 25 --scope 127.77.0.0/16 -o lab.jsonl", "then grab it"],
  ]);
}
