import type { Target } from "../core/target.js";

/**
 * The line written for a target: the contract's fields in a fixed order, absent ones left out.
 * Built as a string (not an object for JSON.stringify): it is the hot loop of a big target list.
 */
export function targetLine(t: Target): string {
  let line = `{"ip":${JSON.stringify(t.ip)}`;
  if (t.port !== undefined) line += `,"port":${t.port}`;
  if (t.name !== undefined && t.name !== null) line += `,"name":${JSON.stringify(t.name)}`;
  if (t.domain !== undefined) line += `,"domain":${JSON.stringify(t.domain)}`;
  if (t.mx !== undefined) line += `,"mx":${JSON.stringify(t.mx)}`;
  if (t.mx_preference !== undefined) line += `,"mx_preference":${t.mx_preference}`;
  if (t.category !== undefined) line += `,"category":${JSON.stringify(t.category)}`;
  if (t.country !== undefined) line += `,"country":${JSON.stringify(t.country)}`;
  if (t.asn !== undefined) line += `,"asn":${t.asn}`;
  return `${line}}`;
}
