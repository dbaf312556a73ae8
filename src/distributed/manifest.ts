/**
 * A run's manifest: what every worker must agree on before it grabs a chunk. A worker whose
 * tool version or rules differ refuses the run (its records would not be the run's).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../core/paths.js";
import { TOOL_VERSION } from "../core/version.js";
import type { EngineRecipe } from "../survey/engine-recipe.js";
import type { PortSpec } from "../targets/ports.js";

export interface RunManifest {
  run: string;
  /** smtpsurvey's version */
  tool: string;
  /** sha256 of rules/model.json: the rules every record is identified with */
  rules: string;
  /** the engine's settings as plain data (scope, limits, the sessions' options) */
  recipe: EngineRecipe;
  ports: PortSpec[];
  /** targets per chunk */
  chunkTargets: number;
  /** what the targets were (the target specification, seed, exclusions), as the plan gives it */
  targets: unknown;
}

export function rulesHash(): string {
  return createHash("sha256")
    .update(readFileSync(join(repoRoot(), "rules", "model.json")))
    .digest("hex");
}

/** A manifest for this build: its tool version and rules filled in. */
export function newManifest(plan: Omit<RunManifest, "tool" | "rules">): RunManifest {
  return { ...plan, tool: TOOL_VERSION, rules: rulesHash() };
}

/** Why this process may not work on a run, or null when it may. */
export function manifestMismatch(manifest: RunManifest, tool: string, rules: string): string | null {
  if (manifest.tool !== tool)
    return `run ${manifest.run} was planned by smtpsurvey ${manifest.tool}, this is ${tool}`;
  if (manifest.rules !== rules)
    return `run ${manifest.run} was planned with other rules (rules/model.json differs)`;
  return null;
}
