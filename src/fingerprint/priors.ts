/**
 * The world prior over products (rules/priors.yaml, docs/rules.md "Priors"): published
 * population figures blended per protocol, a uniform part so that every product stays reachable,
 * and the mass of the "unknown" class. The model adds its logarithm to the tempered likelihoods.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { PROTOCOL_DESCRIPTIONS } from "../protocols/registry.js";
import { rulesDir } from "./rules.js";

const FigureSchema = z.strictObject({
  source: z.string(),
  weight: z.number().positive(),
  counts: z.record(z.string(), z.number().nonnegative()),
});

const ProtocolPriorSchema = z.strictObject({
  unknown: z.number().min(0).max(1),
  uniform: z.number().min(0).max(1),
  outside: z.array(z.string()).optional(),
  figures: z.array(FigureSchema),
});

const SourcesSchema = z.record(
  z.string(),
  z.object({
    title: z.string(),
    date: z.union([z.string(), z.number(), z.date()]),
    about: z.string().optional(),
  }),
);

/** The file: its sources, and one prior per protocol family of the registry (any may be absent). */
export const PriorsFileSchema = z
  .object({ format: z.literal(1), sources: SourcesSchema })
  .catchall(ProtocolPriorSchema)
  .superRefine((file, ctx) => {
    const families = new Set<string>(PROTOCOL_DESCRIPTIONS.map((d) => d.part));
    for (const key of Object.keys(file))
      if (key !== "format" && key !== "sources" && !families.has(key))
        ctx.addIssue({ code: "custom", path: [key], message: `not a protocol family of the registry` });
  });
export interface PriorsFile {
  format: 1;
  sources: z.infer<typeof SourcesSchema>;
}
export type ProtocolPrior = z.infer<typeof ProtocolPriorSchema>;

/** A protocol family's prior in the file, if it has one. */
export function priorOf(file: PriorsFile | null | undefined, family: string): ProtocolPrior | undefined {
  if (!file || family === "format" || family === "sources") return undefined;
  return (file as unknown as Record<string, ProtocolPrior | undefined>)[family];
}

export function priorsPath(dir = rulesDir()): string {
  return join(dir, "priors.yaml");
}

const loaded = new Map<string, PriorsFile | null>();

/** rules/priors.yaml, validated (read once per path). */
export function loadPriors(path = priorsPath()): PriorsFile | null {
  if (!loaded.has(path)) loaded.set(path, readPriors(path));
  return loaded.get(path) ?? null;
}

function readPriors(path: string): PriorsFile | null {
  if (!existsSync(path)) return null;
  const parsed = PriorsFileSchema.safeParse(parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  for (const proto of PROTOCOL_DESCRIPTIONS.map((d) => d.part))
    for (const figure of priorOf(parsed.data, proto)?.figures ?? [])
      if (!parsed.data.sources[figure.source])
        throw new Error(`${path}: ${proto}: figure source ${figure.source} is not under sources`);
  return parsed.data;
}

/**
 * The prior probability of each class (`classes` ends with "unknown"), given how a figure's name
 * resolves to a class (`resolve`: a class name, or null when no product has that name).
 */
export function classPrior(
  classes: string[],
  unknown: string,
  spec: ProtocolPrior | undefined,
  resolve: (name: string) => string | null,
): Float64Array {
  const products = classes.filter((c) => c !== unknown);
  const out = new Float64Array(classes.length);
  const index = new Map(classes.map((c, i) => [c, i]));
  // no figures at all: every class, unknown included, equally likely
  const u = spec ? spec.unknown : 1 / classes.length;
  const uniform = spec ? spec.uniform : 1;
  const figures = spec?.figures ?? [];
  const totalWeight = figures.reduce((sum, f) => sum + f.weight, 0);
  const outside = new Set(spec?.outside ?? []);
  let toUnknown = u;
  const share = (1 - u) * (figures.length ? uniform : 1);
  for (const p of products) {
    const at = index.get(p) ?? 0;
    out[at] = (out[at] ?? 0) + share / Math.max(1, products.length);
  }
  for (const figure of figures) {
    const total = Object.values(figure.counts).reduce((a, b) => a + b, 0);
    if (total === 0) continue;
    const mass = (1 - u) * (1 - uniform) * (figure.weight / totalWeight);
    for (const [name, count] of Object.entries(figure.counts)) {
      const part = (mass * count) / total;
      // a product without rules (listed in outside, or held out by the benchmark) is "unknown";
      // unresolvedNames() lets the tests catch a misspelt name
      const cls = outside.has(name) ? null : resolve(name);
      const at = cls === null ? undefined : index.get(cls);
      if (at === undefined) toUnknown += part;
      else out[at] = (out[at] ?? 0) + part;
    }
  }
  const unknownAt = index.get(unknown) ?? classes.length - 1;
  out[unknownAt] = (out[unknownAt] ?? 0) + toUnknown;
  const sum = out.reduce((a, b) => a + b, 0);
  for (let i = 0; i < out.length; i += 1) out[i] = (out[i] ?? 0) / sum;
  return out;
}

/** Names in a protocol's figures that are neither a product with rules nor listed in `outside`. */
export function unresolvedNames(
  spec: ProtocolPrior | undefined,
  resolve: (name: string) => string | null,
): string[] {
  const outside = new Set(spec?.outside ?? []);
  return (spec?.figures ?? [])
    .flatMap((f) => Object.keys(f.counts))
    .filter((name) => !outside.has(name) && resolve(name) === null);
}
