import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { TOOL_VERSION } from "../core/version.js";
import { writeRunJson } from "../store/run-dir.js";
import { openRun } from "./run-lifecycle.js";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "run-lifecycle-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a run directory's life", () => {
  it("starts a new run with the tool's version and the parameters, writing nothing yet", () => {
    const dir = join(freshDir(), "run");
    const run = openRun(dir, { targets: ["192.0.2.1"] }, false);
    expect(run.tool).toEqual({ name: "smtpsurvey", version: TOOL_VERSION });
    expect(run.parameters).toEqual({ targets: ["192.0.2.1"] });
    expect(run.stages).toEqual({});
  });

  it("refuses to resume what is not there, and to start over what is", () => {
    const dir = freshDir();
    expect(() => openRun(dir, {}, true)).toThrow(/holds no run to resume/);
    writeRunJson(dir, openRun(dir, { targets: ["a"] }, false));
    expect(() => openRun(dir, { targets: ["a"] }, false)).toThrow(InputError);
    expect(() => openRun(dir, { targets: ["a"] }, false)).toThrow(/add --resume/);
  });

  it("resumes only with the parameters it was started with", () => {
    const dir = freshDir();
    writeRunJson(dir, openRun(dir, { targets: ["a"], ports: "25" }, false));
    expect(openRun(dir, { targets: ["a"], ports: "25" }, true).parameters).toEqual({
      targets: ["a"],
      ports: "25",
    });
    expect(() => openRun(dir, { targets: ["a"], ports: "587" }, true)).toThrow(/differ from the run's/);
  });
});
