/**
 * Identified software as small integer ids (product, vendor, kind, version together), so a
 * million endpoints keep one int each, and counts per id expand to product/vendor/kind/version
 * tables at the end.
 */
import type { Software } from "../store/schema.js";
import { bump, countRows } from "./counts.js";
import type { CountRow, SoftwareCounts } from "./tally-types.js";

/** the id for "no software known" */
export const UNKNOWN_SOFTWARE = -1;

export interface SoftwareInfo {
  product: string;
  vendor: string | null;
  kind: string | null;
  /** version, else version_range, else null */
  version: string | null;
}

export class SoftwareTable {
  private readonly ids = new Map<string, number>();
  private readonly infos: SoftwareInfo[] = [];

  /** the id of a known answer; UNKNOWN_SOFTWARE for null */
  id(software: Software | null): number {
    if (!software) return UNKNOWN_SOFTWARE;
    const version = software.version ?? software.version_range;
    // an unknown product that names itself keeps its word, so a person can write the missing rule
    const product = unknownLabel(software);
    const key = `${product}\u0000${software.vendor ?? ""}\u0000${software.kind ?? ""}\u0000${version ?? ""}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.infos.length;
      this.infos.push({ product, vendor: software.vendor, kind: software.kind, version });
      this.ids.set(key, id);
    }
    return id;
  }

  info(id: number): SoftwareInfo | null {
    return id === UNKNOWN_SOFTWARE ? null : (this.infos[id] ?? null);
  }
}

export const UNKNOWN_LABEL = "unknown";

/** "unknown (says: FooMail)" for an unknown answer with a hint; the product otherwise. */
export function unknownLabel(software: Pick<Software, "product" | "hint">): string {
  return software.product === UNKNOWN_LABEL && software.hint
    ? `${UNKNOWN_LABEL} (says: ${software.hint})`
    : software.product;
}

const isUnknown = (product: string) => product === UNKNOWN_LABEL || product.startsWith(`${UNKNOWN_LABEL} (`);

/** Product/vendor/kind/version tables from counts per software id (UNKNOWN_SOFTWARE included). */
export function softwareCounts(idCounts: ReadonlyMap<number, number>, table: SoftwareTable): SoftwareCounts {
  let total = 0;
  let unknown = 0;
  const products = new Map<string, number>();
  const vendors = new Map<string, number>();
  const kinds = new Map<string, number>();
  const versions = new Map<string, Map<string, number>>();
  for (const [id, count] of idCounts) {
    total += count;
    const info = table.info(id);
    if (info && isUnknown(info.product)) {
      unknown += count;
      bump(products, info.product, count);
      bump(vendors, UNKNOWN_LABEL, count);
      bump(kinds, UNKNOWN_LABEL, count);
      continue;
    }
    if (!info) {
      unknown += count;
      bump(products, UNKNOWN_LABEL, count);
      bump(vendors, UNKNOWN_LABEL, count);
      bump(kinds, UNKNOWN_LABEL, count);
      continue;
    }
    bump(products, info.product, count);
    bump(vendors, info.vendor ?? UNKNOWN_LABEL, count);
    bump(kinds, info.kind ?? UNKNOWN_LABEL, count);
    let spread = versions.get(info.product);
    if (!spread) {
      spread = new Map();
      versions.set(info.product, spread);
    }
    bump(spread, info.version ?? UNKNOWN_LABEL, count);
  }
  const versionRows: Array<{ product: string; count: number; versions: CountRow[] }> = [];
  for (const [product, spread] of versions) {
    const count = products.get(product) ?? 0;
    versionRows.push({ product, count, versions: countRows(spread, count) });
  }
  versionRows.sort((a, b) => b.count - a.count || (a.product < b.product ? -1 : 1));
  return {
    total,
    unknown,
    products: countRows(products, total),
    vendors: countRows(vendors, total),
    kinds: countRows(kinds, total),
    versions: versionRows,
  };
}
