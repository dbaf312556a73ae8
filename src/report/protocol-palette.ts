/**
 * Colours for "a key shared over protocol A and protocol B", the same in every graph of a report
 * so a reader learns them once. Protocols are folded to families first: SMTP on 25, 587 and 465
 * (smtp, smtps) is one service to a reader, as are imap/imaps, pop3/pop3s and http/https (the
 * registry's protocolFamily decides).
 */
import { PROTOCOL_DESCRIPTIONS, protocolFamily } from "../protocols/registry.js";
import type { DotBlock } from "./dot.js";

/** The families of a set of protocols, sorted and joined by "+": ["smtps", "smtp", "imaps"] → "imap+smtp". */
export function familySet(protocols: Iterable<string>): string {
  return [...new Set([...protocols].map(protocolFamily))].sort().join("+");
}

/** The pair name, order-independent: ("http", "smtp") → "http–smtp". */
export function protocolPair(a: string, b: string): string {
  return [a, b].sort().join("–");
}

/**
 * Fixed colours for the pairs a mail survey meets most, from each protocol's description in the
 * registry (Okabe–Ito and Tableau hues, distinct for common colour-vision deficiencies where the
 * palette allows). Other pairs get OVERFLOW colours in sorted order of the pairs present, so one
 * graph is still deterministic.
 */
const FIXED: ReadonlyMap<string, string> = new Map(
  PROTOCOL_DESCRIPTIONS.flatMap((d) => [
    [protocolPair(d.part, d.part), d.colour] as const,
    ...Object.entries(d.pairColours ?? {}).map(
      ([other, colour]) => [protocolPair(d.part, other), colour] as const,
    ),
  ]),
);
const OVERFLOW = ["#7F7F7F", "#BCBD22", "#17BECF", "#8C564B", "#E377C2", "#44AA99", "#DDCC77", "#661100"];

/** Colour per pair for the pairs of one graph. */
export function pairColours(pairs: Iterable<string>): Map<string, string> {
  const colours = new Map<string, string>();
  let next = 0;
  for (const pair of [...new Set(pairs)].sort()) {
    const fixed = FIXED.get(pair);
    colours.set(pair, fixed ?? (OVERFLOW[next++ % OVERFLOW.length] as string));
  }
  return colours;
}

/** A boxed legend: one small filled box per pair, in the colour its edges or nodes use. */
export function addLegend(graph: DotBlock, title: string, colours: ReadonlyMap<string, string>): void {
  if (colours.size === 0) return;
  graph.subgraph("cluster_legend", (legend) => {
    legend.set({ label: title, fontsize: 10, style: "rounded", color: "#BBBBBB" });
    let i = 0;
    for (const [pair, colour] of colours) {
      legend.node(`legend${i++}`, {
        label: pair,
        shape: "box",
        style: "filled,rounded",
        fillcolor: colour,
        fontcolor: textColourOn(colour),
        fontsize: 9,
        height: 0.2,
        margin: "0.06,0.02",
      });
    }
  });
}

/** Black or white, whichever reads better on `hex` (#RRGGBB), by relative luminance. */
export function textColourOn(hex: string): string {
  const channel = (offset: number): number => {
    const c = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? "black" : "white";
}
