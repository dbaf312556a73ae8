/** The targets as the grab reads them, also written to a file as they pass (the run keeps its targets). */
import { createWriteStream } from "node:fs";
import type { Target } from "../core/target.js";
import type { TargetPlan } from "../targets/plan.js";
import { targetLine } from "../targets/target-line.js";

export function teeTargets(
  plan: TargetPlan,
  path: string,
): { stream: AsyncIterable<Target>; close(): Promise<void> } {
  const out = createWriteStream(path);
  async function* stream(): AsyncGenerator<Target> {
    for await (const target of plan.stream()) {
      if (!out.write(`${targetLine(target)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      yield target;
    }
  }
  return {
    stream: stream(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        out.once("error", reject);
        out.end(() => resolve());
      }),
  };
}
