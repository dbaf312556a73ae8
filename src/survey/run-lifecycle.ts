/**
 * A run directory's life: a new run gets its run.json (tool, rules, parameters); an existing one
 * is only ever resumed, and only with the parameters it was started with, so that a resumed run
 * makes exactly the records the first one would have.
 */
import { existsSync } from "node:fs";
import { InputError } from "../core/errors.js";
import { TOOL_VERSION } from "../core/version.js";
import { loadModel } from "../fingerprint/model.js";
import { type RunJson, readRunJson, runPaths } from "../store/run-dir.js";

/** The run in `dir`: new, or the one there when `resume` is asked for; InputError otherwise. */
export function openRun(dir: string, parameters: Record<string, unknown>, resume: boolean): RunJson {
  const paths = runPaths(dir);
  if (existsSync(paths.runJson)) {
    if (!resume)
      throw new InputError(
        `${dir} already holds a run: add --resume to finish it, or choose another -o/--output`,
      );
    const run = readRunJson(dir);
    if (JSON.stringify(run.parameters) !== JSON.stringify(parameters))
      throw new InputError(
        `--resume: the targets and options differ from the run's (${paths.runJson}): give the same ones`,
      );
    return run;
  }
  if (resume) throw new InputError(`--resume: ${dir} holds no run to resume`);
  return newRun(parameters);
}

function newRun(parameters: Record<string, unknown>): RunJson {
  const model = loadModel();
  return {
    format: 1,
    tool: { name: "smtpsurvey", version: TOOL_VERSION },
    rules: {
      products: model.products.length,
      model_trained_at: model.data.trained_at,
      model_examples: model.data.examples,
    },
    created_at: new Date().toISOString(),
    parameters,
    targets: null,
    stages: {},
  };
}
