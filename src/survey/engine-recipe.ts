/**
 * The engine's settings as plain data: what a grab's flags decide, in a form that can cross to
 * an engine worker (a thread has its own heap, so a Scope object, the model or the probe
 * planner's closure cannot be handed over; each side builds them from this recipe).
 */
import { Scope } from "../core/scope.js";
import type { ProbePlanner, ProtocolOptions } from "../protocols/types.js";
import { ENGINE_DEFAULTS, type EngineOptions } from "../scan/engine.js";

/** The engine's own limits, as the flags set them (the rest of EngineOptions keeps its defaults). */
type EngineLimits = Pick<
  EngineOptions,
  | "concurrency"
  | "rate"
  | "perIpConcurrency"
  | "perIpRate"
  | "perPrefixRate"
  | "prefixBits"
  | "connectTimeoutMs"
  | "sessionTimeoutMs"
  | "transcripts"
>;

export interface EngineRecipe {
  /** the --scope text, parsed again where it is used */
  scope: string;
  limits: EngineLimits;
  /** the sessions' options without the planner, which is built from the model */
  protocol: Omit<ProtocolOptions, "probePlanner">;
  /** records are identified (and the probe planner runs) where the sessions run */
  identify: boolean;
  resolvers?: string[];
}

/**
 * The engine's options from a recipe; `planner`: the probe planner of the recipe's model
 * (probe-planning.ts), undefined when it does not identify.
 */
export function engineOptions(
  recipe: EngineRecipe,
  planner: ProbePlanner | undefined,
  signal: AbortSignal,
): EngineOptions {
  return {
    ...ENGINE_DEFAULTS,
    ...recipe.limits,
    scope: Scope.parse(recipe.scope),
    protocol: {
      ...recipe.protocol,
      probePlanner: planner,
    },
    signal,
    ...(recipe.resolvers ? { resolvers: recipe.resolvers } : {}),
  };
}

/**
 * One worker's share of a recipe: the totals (-c, --rate) split; per-IP caps and the per-prefix
 * rate stay, as each IP (each prefix, with --per-prefix-rate) has one worker.
 */
export function shareOf(recipe: EngineRecipe, workers: number): EngineRecipe {
  const { concurrency, rate } = recipe.limits;
  return {
    ...recipe,
    limits: {
      ...recipe.limits,
      concurrency: Math.max(1, Math.ceil(concurrency / workers)),
      rate: rate / workers,
    },
  };
}
