/** Every labelled record the model learns from and is measured on: lab golden records and fixtures. */
import { allServers } from "../lab/servers/index.js";
import { type Example, loadFixtureExamples, loadLabExamples } from "../src/fingerprint/examples.js";

/** The lab's own truth for an address (its server list: product and installed version). */
export function labTruth(ip: string): { product: string; version: string } | undefined {
  const server = allServers.find((s) => s.ip === ip);
  return server ? { product: server.product, version: server.version } : undefined;
}

export function labelledExamples(): Example[] {
  return [...loadLabExamples(labTruth), ...loadFixtureExamples()];
}
