/**
 * The engine's settings as plain data: what a grab's flags decide, in a form that can cross to
 * an engine worker (a thread has its own heap, so a Scope object, the model or the probe
 * planner's closure cannot be handed over; each side builds them from this recipe).
 */
import { Scope } from "../core/scope.js";
import { PLANNER_DEFAULTS, probePlanner } from "../fingerprint/adaptive.js";
import type { Model } from "../fingerprint/model.js";
import { loadProbes } from "../protocols/smtp/probes.js";
import { ENGINE_DEFAULTS, type EngineOptions } from "../scan/engine.js";

export interface EngineRecipe {
  /** the --scope text, parsed again where it is used */
  scope: string;
  concurrency: number;
  rate: number;
  perIpConcurrency: number;
  perIpRate: number;
  connectTimeoutMs: number;
  sessionTimeoutMs: number;
  replyTimeoutMs: number;
  /** null: each connection's own address literal */
  ehloName: string | null;
  starttls: "auto" | "always" | "never";
  probes: string[];
  /** records are identified (and the probe planner runs) where the sessions run */
  identify: boolean;
  resolvers?: string[];
}

/** The engine's options from a recipe; `model` is the recipe's (null when it does not identify). */
export function engineOptions(recipe: EngineRecipe, model: Model | null, signal: AbortSignal): EngineOptions {
  return {
    ...ENGINE_DEFAULTS,
    scope: Scope.parse(recipe.scope),
    concurrency: recipe.concurrency,
    rate: recipe.rate,
    perIpConcurrency: recipe.perIpConcurrency,
    perIpRate: recipe.perIpRate,
    connectTimeoutMs: recipe.connectTimeoutMs,
    sessionTimeoutMs: recipe.sessionTimeoutMs,
    protocol: {
      ehloName: recipe.ehloName,
      starttls: recipe.starttls,
      replyTimeoutMs: recipe.replyTimeoutMs,
      probes: recipe.probes,
      probePlanner: model
        ? probePlanner(model, { ...PLANNER_DEFAULTS, probes: [...loadProbes().keys()] })
        : undefined,
    },
    signal,
    ...(recipe.resolvers ? { resolvers: recipe.resolvers } : {}),
  };
}

/** One worker's share of a recipe: the totals (-c, --rate) split; per-IP caps stay, as each IP has one worker. */
export function shareOf(recipe: EngineRecipe, workers: number): EngineRecipe {
  return {
    ...recipe,
    concurrency: Math.max(1, Math.ceil(recipe.concurrency / workers)),
    rate: recipe.rate / workers,
  };
}
