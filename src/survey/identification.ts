/**
 * Identification where the sessions run (an engine thread, a distributed worker): the model,
 * its probe planner and the identify function, loaded on first use and once per thread. A
 * module apart so that a grab that does not identify never loads the model, its rules or zod.
 */
import type { ProbePlanner } from "../protocols/types.js";
import type { ScanRecord } from "../store/schema.js";

export interface Identification {
  planner: ProbePlanner;
  identify: (record: ScanRecord) => ScanRecord["software"];
}

let loading: Promise<Identification> | undefined;

export function loadIdentification(): Promise<Identification> {
  loading ??= (async () => {
    const [{ loadModel }, { identifyRecord }, { plannerFor }] = await Promise.all([
      import("../fingerprint/model.js"),
      import("../fingerprint/identify.js"),
      import("./probe-planning.js"),
    ]);
    const model = loadModel();
    return { planner: plannerFor(model), identify: (record: ScanRecord) => identifyRecord(model, record) };
  })();
  return loading;
}
