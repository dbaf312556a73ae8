/** The smtpsurvey command line: a thin layer that parses flags and wires the stages. */
import { Command } from "commander";

const program = new Command();
program.name("smtpsurvey").description("Survey the Internet's mail servers").version("0.1.0");

// Sub-commands register themselves here, one module each under src/cli/.
const registrations: Array<Promise<{ register(p: Command): void }>> = [];
for (const mod of registrations) (await mod).register(program);

await program.parseAsync(process.argv);
