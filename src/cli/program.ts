/**
 * The smtpsurvey program: every command registered, nothing parsed. main.ts parses argv with
 * it; the vocabulary test walks it (one meaning per short flag, examples in every --help).
 */
import { Command } from "commander";
import { TOOL_VERSION } from "../core/version.js";
import { addExamples } from "./examples.js";

// Sub-commands register themselves here, one module each under src/cli/.
const registrations = [
  () => import("./grab-command.js"),
  () => import("./summary-command.js"),
  () => import("./identify-command.js"),
  () => import("./learn-command.js"),
  () => import("./targets-command.js"),
  () => import("./survey-command.js"),
  () => import("./report-command.js"),
  () => import("./diff-command.js"),
  () => import("./worker-command.js"),
  () => import("./status-command.js"),
  () => import("./export-command.js"),
  () => import("./import-command.js"),
  () => import("./lab-command.js"),
];

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name("smtpsurvey")
    .description("Survey the Internet's mail servers")
    .version(TOOL_VERSION, "-V, --version", "print smtpsurvey's version")
    // the program's options stop at the command: `learn --product-version 1.2` is learn's, and
    // a command's own option is never taken for the program's
    .enablePositionalOptions()
    // Usage errors exit 2 with commander's one line, like every other bad input.
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text.startsWith("error:") ? `smtpsurvey: ${text}` : text),
    });
  for (const load of registrations) (await load()).register(program);
  for (const command of allCommands(program)) command.exitOverride();
  addExamples(program, [
    [
      "smtpsurvey survey --domains companies.csv -p 25,465,587 --scope 0.0.0.0/0 --ehlo survey.example.org -o runs/companies",
      "a whole survey into a run directory",
    ],
    ["smtpsurvey grab 192.0.2.0/24 -p 25 --scope 192.0.2.0/24 -o records.jsonl", "records alone"],
    ["smtpsurvey identify mx.example.org --scope 198.51.100.7/32 -vv", "one server"],
    ["smtpsurvey help grab", "a command's options (docs/cli.md has them all)"],
  ]);
  return program;
}

/** The program's commands and theirs, depth first (lab's subcommands included). */
export function allCommands(root: Command): Command[] {
  return root.commands.flatMap((command) => [command, ...allCommands(command)]);
}
