/**
 * Numbers as the sections' sentences and headline figures write them. Table cells are formatted
 * on the page instead (number-format.ts), from the raw values the CSV files keep.
 */

/** 12345 → "12,345" */
export const countText = (value: number): string => value.toLocaleString("en");

/** part of whole as "12.3 %", or "n/a" when there is no whole */
export const shareText = (part: number, whole: number): string =>
  whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : "n/a";
