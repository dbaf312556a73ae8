/**
 * A record → the named strings rules match against (the table in docs/rules.md). Each protocol
 * says which strings its part of a record gives (its description in the registry); greeting and
 * EHLO text are masked (src/core/mask.ts) so that a rule never has to know a host's name,
 * address, clock or session id.
 */
import { PROTOCOL_DESCRIPTIONS } from "../protocols/registry.js";
import type { RecordView } from "../protocols/types.js";

/** The parts of a record features read: a whole record, or a session still under way. */
export type FeatureSource = RecordView;

export type Features = Map<string, string>;

export function extractFeatures(record: FeatureSource): Features {
  const features: Features = new Map();
  const set = (name: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined) features.set(name, value);
  };
  for (const description of PROTOCOL_DESCRIPTIONS) description.features(record, set);
  // the certificate belongs to whichever protocol did the TLS handshake
  const leaf = record.tls?.chain[0];
  if (leaf) {
    set("cert.subject", leaf.subject);
    set("cert.issuer", leaf.issuer);
  }
  const hint = greetingHint(features);
  // "" when there is a greeting without a product word: the feature exists, the word does not
  if (hint !== undefined) features.set("hint", hint ?? "");
  return features;
}

/** The product word of whichever greeting the record has; undefined without one. */
function greetingHint(features: Features): string | null | undefined {
  for (const description of PROTOCOL_DESCRIPTIONS) {
    const hint = description.hint(features);
    if (hint !== undefined) return hint;
  }
  return undefined;
}

/** Every feature that is a greeting, and the hint read from it. */
export const GREETING_FEATURES: readonly string[] = [
  ...PROTOCOL_DESCRIPTIONS.flatMap((d) => d.greetingFeatures),
  "hint",
];

/** The features with the greeting hidden: what a banner-stripped server would leave. */
export function withoutBanner(features: Features): Features {
  const out = new Map(features);
  for (const name of GREETING_FEATURES) out.delete(name);
  return out;
}
