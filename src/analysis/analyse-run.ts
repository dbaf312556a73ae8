/**
 * The analysis stage of a run: key-reuse clusters first (their key counts feed the TLS posture's
 * "shared keys"), then the tallies, each one streaming pass over the records. Writes
 * clusters.jsonl and analysis.json into the run directory.
 */
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Cluster } from "../core/cluster-types.js";
import type { Target } from "../core/target.js";
import { identifyRecord } from "../fingerprint/identify.js";
import type { Model } from "../fingerprint/model.js";
import { priorRows, reestimatePrior } from "../fingerprint/prior-em.js";
import { readRecords } from "../store/read-records.js";
import { type RunJson, type RunPaths, writeFileAtomic } from "../store/run-dir.js";
import type { ScanRecord } from "../store/schema.js";
import { clustersOf } from "./clusters.js";
import { writeClustersJsonl } from "./clusters-jsonl.js";
import { knownKeyIndex, loadKnownKeys } from "./known-keys.js";
import { keyCountsFromClusters, type SampleInfo, Tallies } from "./tallies.js";
import type { TallyResult } from "./tally-types.js";

export interface RunAnalysis {
  clusters: Cluster[];
  tallies: TallyResult;
}

/**
 * The records of a run; with a model, identified again with the current rules (`report` after a
 * rules update) rather than as they were at grab time.
 */
export async function* runRecords(paths: RunPaths, model: Model | null = null): AsyncGenerator<ScanRecord> {
  for await (const record of readRecords(paths.records)) {
    if (model) record.software = identifyRecord(model, record);
    yield record;
  }
}

/** The run's domain → MX → address targets (only those carry what per-domain share needs). */
export async function* domainTargets(paths: RunPaths): AsyncGenerator<Target> {
  if (!existsSync(paths.targets)) return;
  const lines = createInterface({
    input: createReadStream(paths.targets, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const target = JSON.parse(line) as Target;
    if (target.domain !== undefined) yield target;
  }
}

/** Sample figures from the run's targets, when the targets were a sample. */
export function sampleInfo(run: RunJson): SampleInfo | undefined {
  const meta = run.targets;
  if (!meta?.sample || meta.space_size === undefined) return undefined;
  return { sampled: Number(meta.sample.count), spaceSize: Number(meta.space_size) };
}

/**
 * With a model, the records are identified again: first the prior over products is
 * re-estimated from the run's own records (EM, prior-em.ts), then every record is identified
 * under that prior, so an ambiguous record is weighed against what this survey found.
 */
export async function analyseRun(
  paths: RunPaths,
  run: RunJson,
  model: Model | null = null,
): Promise<RunAnalysis> {
  const known = knownKeyIndex(loadKnownKeys());
  // clustering reads keys only: no need to identify the records for it
  const clusters = await clustersOf(runRecords(paths), { known });
  writeClustersJsonl(paths.clusters, clusters);
  const tallies = new Tallies({ sample: sampleInfo(run), keyCounts: keyCountsFromClusters(clusters) });
  for await (const target of domainTargets(paths)) tallies.addTarget(target);
  model?.runPriors.clear();
  const priors = model ? await reestimatePrior(model, runRecords(paths)) : [];
  for await (const record of runRecords(paths, model)) tallies.add(record);
  const result = tallies.result();
  if (priors.length)
    result.priors = priors.map((e) => ({ protocol: e.protocol, records: e.records, rows: priorRows(e) }));
  writeFileAtomic(paths.analysis, `${JSON.stringify(result, null, 1)}\n`);
  return { clusters, tallies: result };
}
