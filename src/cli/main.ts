/** The smtpsurvey command line: a thin layer that parses flags and wires the stages. */
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";

const program = await buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  throw error;
}
