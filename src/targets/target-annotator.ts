/**
 * Fills a target's country and AS: what it already carries wins, then the --mmdb database,
 * then the --country / --asn range it was drawn from.
 */
import type { Target } from "../core/target.js";
import type { MmdbDatabase } from "./mmdb.js";
import type { RangeLabels } from "./range-labels.js";

export type Annotator = (target: Target) => Target;

export function targetAnnotator(
  mmdb: MmdbDatabase | null,
  byCountry: RangeLabels<string>,
  byAsn: RangeLabels<number>,
): Annotator {
  // fills country and asn in place (every target handed in is a fresh object)
  return (target) => {
    if (mmdb === null && byCountry.size === 0 && byAsn.size === 0) return target;
    const found = mmdb?.annotate(target.ip);
    const country = target.country ?? found?.country ?? byCountry.labelOf(target.ip);
    const asn = target.asn ?? found?.asn ?? byAsn.labelOf(target.ip);
    if (country !== undefined) target.country = country;
    if (asn !== undefined) target.asn = asn;
    return target;
  };
}
