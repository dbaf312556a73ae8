/**
 * Cluster graphs in a real browser: Graphviz lays the labels out with its own idea of the font,
 * Chromium draws them with a real one, and only the browser's own measurements (getBBox,
 * getComputedTextLength) say whether the text fits. For each graph, drawn in the browser's
 * default sans-serif and again with DejaVu Sans and Liberation Sans forced (the usual defaults on
 * Linux; DejaVu is the widest), every node's text must lie inside its box, a cluster's label
 * inside the cluster, no edge label on a node, and every text (the title above all) inside the
 * viewBox. Needs Debian's Chromium (scripts/setup.sh installs it); without it the test fails
 * rather than skips.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster, ClusterKey, ClusterMember } from "../../src/core/cluster-types.js";
import { clusterDot, overviewDot, renderSvg } from "../../src/report/cluster-graph.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../support/chromium.js";

function key(n: number, kind: string, protocols: string[], known: string | null = null): ClusterKey {
  return { spki_sha256: n.toString(16).padStart(64, "0"), kind, protocols, count: 0, known };
}

function cluster(keys: ClusterKey[], members: ClusterMember[]): Cluster {
  return {
    id: keys[0]?.spki_sha256 ?? "empty",
    size: members.length,
    hosts: new Set(members.map((m) => m.ip)).size,
    keys: keys.map((k, i) => ({ ...k, count: members.filter((m) => m.keys.includes(i)).length })),
    members,
  };
}

/** The report's own example: Postfix on three ports and a web server with one RSA key. */
const sharedKey = cluster(
  [key(0xaa, "rsa-2048", ["https", "smtp", "smtps"])],
  [
    { ip: "192.0.2.1", port: 25, protocol: "smtp", name: "mx.example.test", keys: [0] },
    { ip: "192.0.2.1", port: 587, protocol: "smtp", name: "mx.example.test", keys: [0] },
    { ip: "192.0.2.1", port: 465, protocol: "smtps", name: "mx.example.test", keys: [0] },
    { ip: "198.51.100.7", port: 443, protocol: "https", name: null, keys: [0] },
  ],
);

/** Wide letters, long names, a known key and non-ASCII text: the hardest labels to fit. */
const wideNames = cluster(
  [key(0xbb, "ecdsa-p384", ["smtp", "imaps", "ssh"], "WWWWWWWW Appliance default key (MMMMMM)")],
  [
    {
      ip: "2001:db8:ffff:ffff::25",
      port: 25,
      protocol: "smtp",
      name: "MMMMMMMMMMMMMMMMMMMM.WWWW.test",
      keys: [0],
    },
    { ip: "2001:db8:ffff:ffff::25", port: 993, protocol: "imaps", name: null, keys: [0] },
    { ip: "203.0.113.250", port: 22, protocol: "ssh", name: "bücher-straße.例え.test", keys: [0] },
  ],
);

/** Too big to draw host by host: the keys-to-groups drawing, with folded keys and groups. */
const large = cluster(
  Array.from({ length: 8 }, (_, k) =>
    key(0x100 + k, k % 2 ? "rsa-4096" : "ecdsa-p256", ["smtp", "https"], k === 0 ? "W".repeat(40) : null),
  ),
  Array.from({ length: 300 }, (_, i) => ({
    ip: `10.${i % 7}.${i % 50}.${i % 250}`,
    port: i % 3 ? 25 : 443,
    protocol: i % 3 ? "smtp" : "https",
    name: i % 4 ? `mx${i}.WWWWWWWWWWWWWWWWWWWWWW.example` : null,
    keys: [i % 8, (i * 7) % 8],
  })),
);

interface Overflow {
  graph: string;
  font: string;
  what: string;
  text: string;
  box: number[];
  within: number[];
}

/**
 * Browser code, kept as source text: tsconfig has no DOM library (everything else runs in Node),
 * and this is the one place that needs it.
 *
 * Evaluated in the page: every way a text of the first <svg> can fail to fit, in the browser's
 * own measure, as a list of Omit<Overflow, "graph" | "font">.
 */
const OVERFLOWS_IN_PAGE = `(() => {
  const svg = document.querySelector("svg");
  if (!svg) return [{ what: "no svg", text: "", box: [], within: [] }];
  const found = [];
  const rect = (r) => [r.x, r.y, r.x + r.width, r.y + r.height];
  const inside = (a, b) => a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
  const overlap = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  // a box in an element's user space, in the <svg>'s (viewBox) coordinates
  const inSvg = (element, box) => {
    const matrix = svg.getScreenCTM().inverse().multiply(element.getScreenCTM());
    const a = new DOMPoint(box[0], box[1]).matrixTransform(matrix);
    const b = new DOMPoint(box[2], box[3]).matrixTransform(matrix);
    return [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
  };
  const view = svg.viewBox.baseVal;
  const viewBox = [view.x, view.y, view.x + view.width, view.y + view.height];
  const nodeShapes = [...svg.querySelectorAll("g.node")].map((node) =>
    rect(node.querySelector("path, polygon, ellipse").getBBox()),
  );
  for (const text of svg.querySelectorAll("text")) {
    const box = rect(text.getBBox());
    const label = text.textContent ?? "";
    const group = text.closest("g.node, g.cluster, g.edge, g.graph");
    const shape = group?.querySelector("path, polygon, ellipse");
    if (!inside(inSvg(text, box), viewBox))
      found.push({ what: "outside the viewBox", text: label, box: inSvg(text, box), within: viewBox });
    if (group?.matches("g.node, g.cluster") && shape) {
      const within = rect(shape.getBBox());
      if (!inside(box, within))
        found.push({ what: "outside its " + group.getAttribute("class"), text: label, box, within });
      // the advance width, whatever the glyphs' ink: it too must fit the shape
      if (text.getComputedTextLength() > within[2] - within[0])
        found.push({ what: "longer than its shape is wide", text: label, box, within });
    }
    if (group?.matches("g.edge"))
      for (const node of nodeShapes)
        if (overlap(box, node)) found.push({ what: "edge label on a node", text: label, box, within: node });
  }
  return found;
})()`;

/** Evaluated in the page: where the title's first and last characters are drawn, in viewBox units. */
const TITLE_IN_PAGE = `(() => {
  const root = document.querySelector("svg");
  const text = root.querySelector("g.graph > text");
  const view = root.viewBox.baseVal;
  const matrix = root.getScreenCTM().inverse().multiply(text.getScreenCTM());
  const start = text.getStartPositionOfChar(0).matrixTransform(matrix).x;
  const end = text.getEndPositionOfChar(text.textContent.length - 1).matrixTransform(matrix).x;
  return { text: text.textContent, start, end, left: view.x, right: view.x + view.width };
})()`;

describe("cluster graphs in Chromium", () => {
  it("finds Debian's Chromium", () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup.sh`).toBe(true);
  });

  let dir: string;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const graphs = new Map<string, string>();

  beforeAll(async () => {
    graphs.set("shared key", await renderSvg(clusterDot(sharedKey)));
    graphs.set("wide names", await renderSvg(clusterDot(wideNames)));
    graphs.set("keys to groups", await renderSvg(clusterDot(large)));
    graphs.set("overview", await renderSvg(overviewDot([sharedKey, wideNames, large])));
    dir = await mkdtemp(join(tmpdir(), "smtpsurvey-graphs-"));
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      // were the page to ask for anything, it would go to a closed loopback port
      proxy: { server: "http://127.0.0.1:9" },
      viewport: { width: 1400, height: 900 },
    });
    context.on("request", (request) => requests.push(request.url()));
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("keeps every text inside its box and the viewBox, whichever sans serif draws it", async () => {
    const overflows: Overflow[] = [];
    let texts = 0;
    for (const [graph, svg] of graphs) {
      for (const font of ["default", "DejaVu Sans", "Liberation Sans"]) {
        // the graphs name sans-serif; the forced families are what it resolves to on most Linux desktops
        const style =
          font === "default" ? "" : `<style>svg text { font-family: "${font}" !important; }</style>`;
        await page.setContent(`<!doctype html><html><head>${style}</head><body>${svg}</body></html>`);
        texts += await page.locator("svg text").count();
        for (const found of await page.evaluate<Omit<Overflow, "graph" | "font">[]>(OVERFLOWS_IN_PAGE))
          overflows.push({ graph, font, ...found });
      }
    }
    expect(texts).toBeGreaterThan(100);
    expect(overflows).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("shows the whole title: both ends inside the viewBox with the text measured as drawn", async () => {
    const svg = graphs.get("shared key") ?? "";
    await page.setContent(
      `<!doctype html><style>svg text { font-family: "DejaVu Sans" !important; }</style>${svg}`,
    );
    const title = await page.evaluate<{
      text: string;
      start: number;
      end: number;
      left: number;
      right: number;
    }>(TITLE_IN_PAGE);
    expect(title.text).toMatch(/^key-reuse cluster .*: 4 endpoints on 2 hosts, 1 key$/);
    expect(title.start).toBeGreaterThanOrEqual(title.left);
    expect(title.end).toBeLessThanOrEqual(title.right);
  });
});
