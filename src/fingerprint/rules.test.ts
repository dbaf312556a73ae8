import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRuleFile, loadRules, RuleError } from "./rules.js";

const GOOD = `product: Example MTA
vendor: Example
kind: open-source-mta
protocols: [smtp]
evidence:
  - id: banner
    feature: banner
    pattern: 'ESMTP Example (?<version>\\d+\\.\\d+)'
  - id: help
    feature: help
    pattern: '^214 '
version_ladder:
  - range: '>=2'
    when: [help]
    unless: [banner]
`;

function write(text: string, name = "example.yaml"): string {
  const dir = mkdtempSync(join(tmpdir(), "rules-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(text: string): RuleError {
  try {
    loadRuleFile(write(text), "smtp/example.yaml");
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("rule files", () => {
  it("compiles a valid file, case-insensitive by default", () => {
    const rules = loadRuleFile(write(GOOD), "smtp/example.yaml");
    expect(rules.product).toBe("Example MTA");
    expect(rules.rules.map((r) => r.key)).toEqual(["smtp/example.yaml#banner", "smtp/example.yaml#help"]);
    expect(rules.rules[0]?.pattern.test("220 x esmtp example 2.1")).toBe(true);
    expect(rules.ladder).toEqual([{ range: ">=2", when: ["help"], unless: ["banner"] }]);
  });

  it("names the file and the line of a schema mistake", () => {
    const error = errorOf(GOOD.replace("kind: open-source-mta", "kind: mailer"));
    expect(error.file).toBe("smtp/example.yaml");
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^smtp\/example\.yaml:3: kind: /);
  });

  it("points at the rule that lacks a field", () => {
    const error = errorOf(GOOD.replace("    feature: help\n", ""));
    expect(error.line).toBe(9);
    expect(error.message).toContain("evidence.1.feature");
  });

  it("reports YAML syntax errors with their line", () => {
    const error = errorOf(GOOD.replace("    feature: help\n", "    feature: help\n    feature: help\n"));
    expect(error.line).toBe(11);
    expect(error.message).toMatch(/unique/);
  });

  it("refuses a bad regular expression at its line", () => {
    const error = errorOf(GOOD.replace("'^214 '", "'^214 ('"));
    expect(error.line).toBe(11);
    expect(error.message).toMatch(/Invalid regular expression/);
  });

  it("refuses duplicate ids and ladders naming missing rules", () => {
    expect(errorOf(GOOD.replace("id: help", "id: banner")).message).toMatch(
      /:9: rule id banner is used twice/,
    );
    const ladder = errorOf(GOOD.replace("unless: [banner]", "unless: [nope]"));
    expect(ladder.line).toBe(15);
    expect(ladder.message).toContain("version_ladder names no rule nope");
  });

  it("loads every YAML file below a directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "rules-"));
    mkdirSync(join(dir, "smtp"));
    writeFileSync(join(dir, "smtp", "a.yaml"), GOOD);
    writeFileSync(join(dir, "smtp", "b.yaml"), GOOD.replace("Example MTA", "Other MTA"));
    writeFileSync(join(dir, "model.json"), "{}");
    expect(loadRules(dir).map((r) => r.file)).toEqual(["smtp/a.yaml", "smtp/b.yaml"]);
  });

  it("loads the repository's rule files", () => {
    expect(loadRules().length).toBeGreaterThan(0);
  });
});
