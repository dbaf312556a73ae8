/**
 * Old spellings that keep working for one release: a hidden option that fills the new one and
 * prints one deprecation line on stderr (always, even with -q: a quiet script is the one that
 * most needs to hear before the spelling goes). docs/cli.md lists them under "Changed in this
 * release".
 */
import { type Command, Option } from "commander";
import { InputError } from "../core/errors.js";
import { reportAndExit } from "./errors.js";

export interface DeprecatedSpelling {
  /** the old spelling as commander flags, e.g. "--out <dir>" */
  flags: string;
  /** the attribute name of the option that replaces it, e.g. "output" */
  replacement: string;
  /** the replacement as the deprecation line spells it, e.g. "-o/--output" */
  spelling: string;
  /** what the old spelling meant, when the same letter now means something else */
  meaning?: string;
  /** a word on why, before "it will be removed in the next release" */
  note?: string;
  /** the old value as the replacement takes it (default: unchanged) */
  translate?: (value: string) => string;
}

const deprecatedOptions = new WeakSet<Option>();

/** Whether a (hidden) option is an old spelling kept for one release: the vocabulary test asks. */
export function isDeprecatedSpelling(option: Option): boolean {
  return deprecatedOptions.has(option);
}

export function deprecationLine(old: string, spelling: DeprecatedSpelling): string {
  const what = spelling.meaning ? ` for ${spelling.meaning}` : "";
  const note = spelling.note ? `${spelling.note}; ` : "";
  return `smtpsurvey: ${old}${what} is deprecated, use ${spelling.spelling} (${note}it will be removed in the next release)`;
}

export function addDeprecatedSpelling(command: Command, spelling: DeprecatedSpelling): Command {
  const option = new Option(spelling.flags).hideHelp();
  command.addOption(option);
  const oldName = option.long ?? option.short ?? spelling.flags;
  const oldAttribute = option.attributeName();
  deprecatedOptions.add(option);
  return command.hook("preAction", () => {
    const value: unknown = command.getOptionValue(oldAttribute);
    if (value === undefined) return;
    process.stderr.write(`${deprecationLine(oldName, spelling)}\n`);
    if (command.getOptionValueSource(spelling.replacement) === "cli")
      reportAndExit(
        new InputError(`${oldName} and ${spelling.spelling} both given: give ${spelling.spelling} only`),
      );
    const text = String(value);
    command.setOptionValueWithSource(spelling.replacement, spelling.translate?.(text) ?? text, "cli");
    command.setOptionValue(oldAttribute, undefined);
  });
}

/** -c was the connect timeout of identify and learn; it means --concurrency in every command now. */
export const OLD_CONNECT_TIMEOUT: DeprecatedSpelling = {
  flags: "-c <seconds>",
  replacement: "connectTimeout",
  spelling: "--connect-timeout",
  meaning: "the connect timeout",
  note: "-c means --concurrency in every command",
};
