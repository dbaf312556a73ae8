/** Every labelled record the model learns from and is measured on: the corpus, record fixtures, lab golden records. */
import { join } from "node:path";
import { allServers } from "../lab/servers/index.js";
import { repoRoot } from "../src/core/paths.js";
import {
  type Example,
  loadCorpusExamples,
  loadLabExamples,
  loadRecordExamples,
} from "../src/fingerprint/examples.js";

/** The lab's own truth for an address (its server list: product and installed version). */
export function labTruth(ip: string): { product: string; version: string; name: string } | undefined {
  const server = allServers.find((s) => s.ip === ip);
  return server ? { product: server.product, version: server.version, name: server.name } : undefined;
}

export function labelledExamples(): Example[] {
  return [
    ...loadLabExamples(labTruth, join(repoRoot(), "test", "fixtures", "lab")),
    ...loadRecordExamples(),
    ...loadCorpusExamples(),
  ];
}
