/** The targets as the grab reads them, also written to a file as they pass (the run keeps its targets). */
import { createWriteStream } from "node:fs";
import type { Target } from "../core/target.js";
import type { TargetPlan } from "../targets/plan.js";
import { targetLine } from "../targets/target-line.js";

export interface TeedTargets {
  /** every target, in plan order */
  stream: AsyncIterable<Target>;
  /**
   * The same in its two parts (space, then single targets), for a reader that treats them apart
   * (survey --engine). Read one way or the other, not both; the space part before the singles.
   */
  parts: { space: AsyncIterable<Target>; singles: AsyncIterable<Target> };
  close(): Promise<void>;
}

export function teeTargets(plan: TargetPlan, path: string): TeedTargets {
  const out = createWriteStream(path);
  async function* written(source: AsyncIterable<Target>): AsyncGenerator<Target> {
    for await (const target of source) {
      if (!out.write(`${targetLine(target)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      yield target;
    }
  }
  const parts = plan.parts();
  return {
    stream: written(plan.stream()),
    parts: { space: written(parts.space), singles: written(parts.singles) },
    close: () =>
      new Promise<void>((resolve, reject) => {
        out.once("error", reject);
        out.end(() => resolve());
      }),
  };
}
