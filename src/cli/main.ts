/** The smtpsurvey command line: a thin layer that parses flags and wires the stages. */
import { Command, CommanderError } from "commander";

const program = new Command();
program
  .name("smtpsurvey")
  .description("Survey the Internet's mail servers")
  .version("0.1.0")
  // Usage errors exit 2 with commander's one line, like every other bad input.
  .exitOverride()
  .configureOutput({
    writeErr: (text) => process.stderr.write(text.startsWith("error:") ? `smtpsurvey: ${text}` : text),
  });

// Sub-commands register themselves here, one module each under src/cli/.
const registrations: Array<Promise<{ register(p: Command): void }>> = [
  import("./grab-command.js"),
  import("./summary-command.js"),
  import("./lab-command.js"),
  import("./identify-command.js"),
  import("./learn-command.js"),
  import("./targets-command.js"),
  import("./survey-command.js"),
  import("./report-command.js"),
  import("./diff-command.js"),
];
for (const mod of registrations) (await mod).register(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  throw error;
}
