import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Cluster } from "../core/cluster-types.js";
import { clusterLine, writeClustersJsonl } from "./clusters-jsonl.js";

const hex = (c: string) => c.repeat(64);

/** built with its fields out of order on purpose */
function cluster(id: string, size: number): Cluster {
  return {
    members: Array.from({ length: size }, (_, i) => ({
      keys: [0],
      name: null,
      protocol: "smtp",
      port: 25,
      ip: `192.0.2.${i + 1}`,
    })),
    keys: [{ known: null, count: size, protocols: ["smtp"], kind: "rsa-2048", spki_sha256: hex("a") }],
    hosts: size,
    size,
    id,
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("clusters.jsonl", () => {
  it("writes fields in the contract's order", () => {
    const line = clusterLine(cluster("kaaaaaaaaaaaa", 2));
    expect(line).toBe(
      `{"id":"kaaaaaaaaaaaa","size":2,"hosts":2,"keys":[{"spki_sha256":"${hex("a")}","kind":"rsa-2048","protocols":["smtp"],"count":2,"known":null}],` +
        `"members":[{"ip":"192.0.2.1","port":25,"protocol":"smtp","name":null,"keys":[0]},{"ip":"192.0.2.2","port":25,"protocol":"smtp","name":null,"keys":[0]}]}`,
    );
  });

  it("writes one cluster a line, and an empty file for none", () => {
    const dir = mkdtempSync(join(tmpdir(), "clusters-"));
    dirs.push(dir);
    const path = join(dir, "clusters.jsonl");
    const clusters = Array.from({ length: 3000 }, (_, i) => cluster(`k${i}`, 2 + (i % 5)));
    expect(writeClustersJsonl(path, clusters)).toBe(3000);
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((l) => JSON.parse(l).id)).toEqual(clusters.map((c) => c.id));
    expect(JSON.parse(lines[7] ?? "")).toEqual(JSON.parse(clusterLine(clusters[7] as Cluster)));
    writeClustersJsonl(path, []);
    expect(readFileSync(path, "utf8")).toBe("");
  });
});
