/**
 * One vocabulary across the commands (docs/cli.md): a short flag means one thing everywhere, an
 * option spelt alike has the same default, every --help ends with examples, -q and -o are there
 * wherever a command talks on stderr or writes files, and the version comes from package.json.
 * Walks the program in-process (src/cli/program.ts): no build needed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { isDeprecatedSpelling } from "../../src/cli/deprecated.js";
import { allCommands, buildProgram } from "../../src/cli/program.js";
import { repoRoot } from "../../src/core/paths.js";

const program = await buildProgram();
const commands = [program, ...allCommands(program)];

function pathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

const byName = (path: string): Command => {
  const found = commands.find((c) => pathOf(c) === `smtpsurvey ${path}`.trim());
  if (!found) throw new Error(`no command ${path}`);
  return found;
};

const visible = (command: Command): readonly Option[] => command.options.filter((o) => !o.hidden);

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

/** short flag → the long flags it stands for, over every command */
function shortFlagMeanings(): Map<string, Set<string>> {
  const meanings = new Map<string, Set<string>>();
  for (const command of commands)
    for (const option of visible(command)) {
      if (!option.short) continue;
      const set = meanings.get(option.short) ?? new Set<string>();
      set.add(option.long ?? "(none)");
      meanings.set(option.short, set);
    }
  return meanings;
}

/** docs/cli.md's "Short flags" table: | `-c` | `--concurrency` | … | */
function documentedShortFlags(): Map<string, string> {
  const text = readFileSync(join(repoRoot(), "docs", "cli.md"), "utf8");
  const section = text.split(/^## /m).find((s) => s.startsWith("Short flags")) ?? "";
  const rows = [...section.matchAll(/^\| `(-\w)` +\| `(--[\w-]+)`/gm)];
  return new Map(rows.map((m) => [m[1] as string, m[2] as string]));
}

describe("the CLI's vocabulary", () => {
  it("gives each short flag one meaning across every command", () => {
    for (const [short, longs] of shortFlagMeanings()) expect([...longs], short).toHaveLength(1);
  });

  it("documents every short flag, and only those, in docs/cli.md's table", () => {
    const inCode = new Map([...shortFlagMeanings()].map(([short, longs]) => [short, [...longs][0]]));
    // -h is commander's own, on every command
    inCode.set("-h", "--help");
    expect(Object.fromEntries(documentedShortFlags())).toEqual(Object.fromEntries(inCode));
  });

  it("gives an option spelt alike the same default in every command", () => {
    // identify -i writes to stdout unless told; grab and targets make -o a required choice
    const differsOnPurpose = new Set(["--output"]);
    const defaults = new Map<string, Set<string>>();
    for (const command of commands)
      for (const option of visible(command)) {
        if (!option.long || differsOnPurpose.has(option.long)) continue;
        const set = defaults.get(option.long) ?? new Set<string>();
        set.add(JSON.stringify(option.defaultValue) ?? "none");
        defaults.set(option.long, set);
      }
    for (const [long, values] of defaults) expect([...values], long).toHaveLength(1);
  });

  it("uses the grab's timeouts wherever a command connects", () => {
    for (const name of ["grab", "survey", "identify", "learn"]) {
      const options = byName(name).options;
      const option = (long: string) => options.find((o) => o.long === long);
      expect(option("--timeout")?.short, name).toBe("-t");
      expect(option("--timeout")?.defaultValue, name).toBe("20");
      expect(option("--connect-timeout")?.defaultValue, name).toBe("10");
      expect(option("--scope"), name).toBeDefined();
      // no commander default: ehlo-name.ts picks an FQDN or an address literal at run time
      expect(option("--ehlo")?.defaultValue, name).toBeUndefined();
    }
  });

  it("ends every command's --help with examples", () => {
    for (const command of commands)
      expect(helpOf(command), pathOf(command)).toMatch(/\nExamples:\n {2}# .+\n {2}\$ (sudo )?smtpsurvey /);
  });

  it("has -q/--quiet wherever a command prints progress or notes on stderr", () => {
    for (const name of ["grab", "survey", "targets", "report", "identify"])
      expect(
        visible(byName(name)).some((o) => o.short === "-q" && o.long === "--quiet"),
        name,
      ).toBe(true);
  });

  it("has -o/--output wherever a command writes a file or directory", () => {
    for (const name of ["grab", "survey", "targets", "identify", "learn"])
      expect(
        visible(byName(name)).some((o) => o.short === "-o" && o.long === "--output"),
        name,
      ).toBe(true);
  });

  it("hides only the old spellings kept for one release", () => {
    for (const command of commands)
      for (const option of command.options.filter((o) => o.hidden))
        expect(isDeprecatedSpelling(option), `${pathOf(command)} ${option.flags}`).toBe(true);
  });

  it("lists lab under a developer heading, apart from the product's commands", () => {
    expect(byName("lab").helpGroup()).toBe("Developer commands:");
    const help = helpOf(program);
    const commandsPart = help.slice(help.indexOf("Commands:"), help.indexOf("Developer commands:"));
    expect(commandsPart).toMatch(/\bsurvey\b/);
    expect(commandsPart).not.toMatch(/\blab\b/);
    expect(help.slice(help.indexOf("Developer commands:"))).toMatch(/^ {2}lab\b/m);
  });

  it("prints package.json's version", () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as {
      version: string;
    };
    expect(program.version()).toBe(manifest.version);
  });
});
