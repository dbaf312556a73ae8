/**
 * A run directory's life: a new run gets its run.json (tool, rules, parameters); an existing one
 * is only ever resumed, and only with the parameters it was started with, so that a resumed run
 * makes exactly the records the first one would have.
 */
import { existsSync } from "node:fs";
import { InputError } from "../core/errors.js";
import { TOOL_VERSION } from "../core/version.js";
import { loadModel } from "../fingerprint/model.js";
import { readRecords } from "../store/read-records.js";
import { type RunJson, readRunJson, runPaths, writeRunJson } from "../store/run-dir.js";

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

/**
 * A directory that holds only a records.jsonl (`smtpsurvey import -o DIR/records.jsonl`, or
 * records from elsewhere) becomes a run: run.json says where the records came from (their
 * `source` fields) and marks the grab done, so `report DIR` analyses and reports on them.
 */
export async function adoptRecords(dir: string): Promise<RunJson> {
  const paths = runPaths(dir);
  const sources: Record<string, number> = {};
  let records = 0;
  for await (const record of readRecords(paths.records)) {
    records += 1;
    const source = record.source ?? "smtpsurvey";
    sources[source] = (sources[source] ?? 0) + 1;
  }
  const run = newRun({ adopted: "records.jsonl", sources });
  const now = new Date().toISOString();
  run.stages.grab = { status: "done", started_at: now, finished_at: now, seconds: 0, counts: { records } };
  writeRunJson(dir, run);
  return run;
}
