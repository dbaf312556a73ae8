/** One record → its `software` field: the entry point the CLI and benchmarks use. */
import { PROTOCOL_DESCRIPTIONS } from "../protocols/registry.js";
import type { ScanRecord, Software } from "../store/schema.js";
import { extractFeatures, type Features, withoutBanner } from "./features.js";
import type { Model } from "./model.js";

/** Whether the record holds anything a rule could read (a failed connection does not). */
export function identifiable(record: ScanRecord): boolean {
  return Boolean(PROTOCOL_DESCRIPTIONS.some((d) => record[d.part]) || record.tls?.chain.length);
}

export function recordFeatures(record: ScanRecord, options: { hideBanner?: boolean } = {}): Features {
  const features = extractFeatures(record);
  return options.hideBanner ? withoutBanner(features) : features;
}

export function identifyRecord(
  model: Model,
  record: ScanRecord,
  options: { hideBanner?: boolean } = {},
): Software | null {
  if (!identifiable(record)) return null;
  return model.identify(record.protocol, recordFeatures(record, options));
}
