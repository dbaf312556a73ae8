/**
 * No import runs up the layers (docs/architecture.md): every non-test file under src/ imports
 * only its own room and the rooms below it. Tests may reach across; they are not the product.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./core/paths.js";

/** room → the rooms it may import besides itself */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  protocols: ["core"],
  targets: ["core"],
  store: ["core", "protocols"],
  scan: ["core", "protocols", "store"],
  fingerprint: ["core", "protocols", "store"],
  analysis: ["core", "protocols", "store", "fingerprint"],
  report: ["core", "protocols", "store", "fingerprint", "analysis"],
  interop: ["core", "protocols", "store", "analysis"],
  survey: ["core", "protocols", "targets", "store", "scan", "fingerprint", "analysis", "report"],
  distributed: [
    "core",
    "protocols",
    "targets",
    "store",
    "scan",
    "fingerprint",
    "analysis",
    "report",
    "survey",
  ],
  cli: [
    "core",
    "protocols",
    "targets",
    "store",
    "scan",
    "fingerprint",
    "analysis",
    "report",
    "survey",
    "distributed",
    "interop",
    "lab",
  ],
};

const SRC = join(repoRoot(), "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The room of a path: src/<room>/…, or lab/ (outside src), or null for anything else. */
function roomOf(path: string): string | null {
  const fromSrc = relative(SRC, path);
  if (!fromSrc.startsWith("..")) return fromSrc.split("/")[0] ?? null;
  return relative(join(repoRoot(), "lab"), path).startsWith("..") ? null : "lab";
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/g;

describe("the layers", () => {
  const files = sourceFiles(SRC).filter((f) => relative(SRC, f).includes("/"));

  it("knows every room under src/", () => {
    const rooms = new Set(files.map((f) => roomOf(f)));
    for (const room of rooms)
      expect(MAY_IMPORT, `src/${room} is not in the layer table`).toHaveProperty(room as string);
  });

  it("has no import that runs up", () => {
    const upward: string[] = [];
    for (const file of files) {
      const room = roomOf(file) as string;
      const allowed = new Set([room, ...(MAY_IMPORT[room] ?? [])]);
      for (const match of readFileSync(file, "utf8").matchAll(IMPORT)) {
        const target = roomOf(resolve(dirname(file), match[1] as string));
        if (target !== null && !allowed.has(target)) upward.push(`${relative(SRC, file)} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
