/**
 * Evidence levels, PingedIn's layering: the banner alone, then + EHLO, + HELP, + probes. Naive
 * Bayes is overconfident in proportion to how many correlated rules fire together, so the model
 * learns one temperature per level (train.ts), and the benchmark reports accuracy per level.
 */
import { type Features, GREETING_FEATURES } from "./features.js";

export const EVIDENCE_LEVELS = ["banner", "ehlo", "help", "probes"] as const;
export type EvidenceLevel = (typeof EVIDENCE_LEVELS)[number];

/** The greeting of any protocol (each description says which features are its greeting). */
const GREETING = new Set(GREETING_FEATURES);

/** Which features a level keeps. */
export function levelKeeps(level: EvidenceLevel, feature: string): boolean {
  switch (level) {
    case "banner":
      return GREETING.has(feature);
    case "ehlo":
      // the dialogue's order: greeting, EHLO, HELP, STARTTLS (and the certificate), QUIT
      return (
        !feature.startsWith("probe.") &&
        !feature.startsWith("cert.") &&
        !["help", "starttls", "quit"].includes(feature)
      );
    case "help":
      return !feature.startsWith("probe.");
    case "probes":
      return true;
  }
}

/** The lowest level that keeps every feature a record has. */
export function evidenceLevel(features: Features): EvidenceLevel {
  const names = [...features.keys()];
  return EVIDENCE_LEVELS.find((level) => names.every((f) => levelKeeps(level, f))) ?? "probes";
}

/** The features a level keeps. */
export function atLevel(features: Features, level: EvidenceLevel): Features {
  return new Map([...features].filter(([name]) => levelKeeps(level, name)));
}
