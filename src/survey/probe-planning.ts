/**
 * The adaptive probe planner for a model, over the probes the catalogue has. Apart from
 * engine-recipe.ts because it loads the catalogue (and zod): an engine thread imports it only
 * when its grab identifies.
 */
import { PLANNER_DEFAULTS, probePlanner } from "../fingerprint/adaptive.js";
import type { Model } from "../fingerprint/model.js";
import { loadProbes } from "../protocols/smtp/probe-catalogue.js";
import type { ProbePlanner } from "../protocols/types.js";

export function plannerFor(model: Model): ProbePlanner {
  return probePlanner(model, { ...PLANNER_DEFAULTS, probes: [...loadProbes().keys()] });
}
