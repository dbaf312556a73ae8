/** A finished analysis read back from its run directory (a resumed survey does not redo it). */
import { readFileSync } from "node:fs";
import type { RunAnalysis } from "../analysis/analyse-run.js";
import type { TallyResult } from "../analysis/tally-types.js";
import type { Cluster } from "../core/cluster-types.js";
import type { RunPaths } from "../store/run-dir.js";

export function readAnalysis(paths: RunPaths): RunAnalysis {
  const clusters = readFileSync(paths.clusters, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Cluster);
  const tallies = JSON.parse(readFileSync(paths.analysis, "utf8")) as TallyResult;
  return { clusters, tallies };
}
