/**
 * A survey's run directory (docs/survey.md): where each stage writes, and `run.json`, which says
 * what was asked, with which tool and rules, and how far each stage got. run.json is replaced
 * atomically (write, fsync, rename), so a kill -9 leaves the previous state, never half a file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../core/errors.js";
import type { TargetsMeta } from "../core/targets-meta.js";

export const STAGES = ["grab", "analyse", "report"] as const;
export type Stage = (typeof STAGES)[number];

export interface StageState {
  status: "running" | "done";
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  counts: Record<string, number | string>;
}

export interface RunJson {
  format: 1;
  tool: { name: "smtpsurvey"; version: string };
  rules: { products: number; model_trained_at: string; model_examples: number };
  created_at: string;
  /** the command line's meaning: targets, ports, scope, engine settings */
  parameters: Record<string, unknown>;
  /** what the targets were: space size, sample, shard, exclusions, MX figures, data sets */
  targets: TargetsMeta | null;
  stages: Partial<Record<Stage, StageState>>;
}

export function runPaths(dir: string) {
  return {
    dir,
    runJson: join(dir, "run.json"),
    targets: join(dir, "targets.jsonl"),
    mxFailures: join(dir, "mx-failures.jsonl"),
    records: join(dir, "records.jsonl"),
    clusters: join(dir, "clusters.jsonl"),
    analysis: join(dir, "analysis.json"),
    database: join(dir, "survey.sqlite"),
    tables: join(dir, "tables"),
    graphs: join(dir, "graphs"),
    report: join(dir, "report.html"),
  };
}
export type RunPaths = ReturnType<typeof runPaths>;

export function readRunJson(dir: string): RunJson {
  const path = runPaths(dir).runJson;
  if (!existsSync(path)) throw new InputError(`${dir} is not a run directory (no run.json)`);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RunJson;
  } catch (error) {
    throw new InputError(`${path}: ${(error as Error).message}`);
  }
}

/** Writes a file so that it is either the old one or the whole new one, even after a crash. */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

export function writeRunJson(dir: string, run: RunJson): void {
  writeFileAtomic(runPaths(dir).runJson, `${JSON.stringify(run, null, 1)}\n`);
}

/** Marks a stage started; returns a function that marks it done with its counts. */
export function startStage(dir: string, run: RunJson, stage: Stage): (counts: StageState["counts"]) => void {
  const started = new Date();
  run.stages[stage] = {
    status: "running",
    started_at: started.toISOString(),
    finished_at: null,
    seconds: null,
    counts: {},
  };
  // a stage after this one is stale once this one runs again
  for (const later of STAGES.slice(STAGES.indexOf(stage) + 1)) delete run.stages[later];
  writeRunJson(dir, run);
  return (counts) => {
    const finished = new Date();
    run.stages[stage] = {
      status: "done",
      started_at: started.toISOString(),
      finished_at: finished.toISOString(),
      seconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
      counts,
    };
    writeRunJson(dir, run);
  };
}

export function stageDone(run: RunJson, stage: Stage): boolean {
  return run.stages[stage]?.status === "done";
}
