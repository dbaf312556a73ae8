/** An "Examples:" block at the end of a command's --help, in one layout for every command. */
import type { Command } from "commander";

/** Each example is a command line and what it does. */
export function addExamples(command: Command, examples: ReadonlyArray<readonly [string, string]>): Command {
  const lines = examples.map(([line, what]) => `  # ${what}\n  $ ${line}`);
  return command.addHelpText("after", `\nExamples:\n${lines.join("\n\n")}\n`);
}
