/**
 * A space descriptor must give back, chunk by chunk, exactly the space part of the plan's own
 * stream: same addresses, same order, same annotations, same shard. A distributed run relies on
 * it to hand out index ranges instead of stored targets.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { buildMmdb } from "../../test/support/mmdb-writer.js";
import type { Target } from "../core/target.js";
import { planTargets, type TargetOptions } from "./plan.js";
import { indexSpace } from "./space-descriptor.js";

const none: TargetOptions = { args: [], inputs: [], countries: [], asns: [], excludes: [] };

async function compare(options: Partial<TargetOptions>, chunk: bigint): Promise<number> {
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const plan = await planTargets({ ...none, ...options });
    const streamed: Target[] = [];
    for await (const target of plan.parts().space) streamed.push(target);
    const descriptor = plan.spaceDescriptor();
    expect(descriptor).not.toBeNull();
    // through JSON, as it is stored
    const space = indexSpace(JSON.parse(JSON.stringify(descriptor)));
    const rebuilt: Target[] = [];
    for (let from = 0n; from < space.count; from += chunk) rebuilt.push(...space.targets(from, from + chunk));
    expect(rebuilt).toEqual(streamed);
    return streamed.length;
  } finally {
    stderr.mockRestore();
  }
}

describe("space descriptors", () => {
  it("walk CIDRs in address order, less the exclusions", async () => {
    expect(await compare({ args: ["11.0.0.0/22", "11.0.8.0/30", "11.0.1.0/26"], excludes: [] }, 100n)).toBe(
      1028,
    );
  });

  it("follow a seeded sample over IPv4 and IPv6, and keep one shard", async () => {
    expect(await compare({ args: ["11.0.0.0/20", "2a01:4f8::/116"], sample: 3000n, seed: "s" }, 333n)).toBe(
      3000,
    );
    const sharded = await compare(
      { args: ["11.0.0.0/20"], sample: 2000n, seed: "s", shard: { index: 2, count: 5 } },
      256n,
    );
    expect(sharded).toBeGreaterThan(300);
    expect(sharded).toBeLessThan(500);
  });

  it("walk a small IPv6 range after IPv4", async () => {
    expect(await compare({ args: ["2a01:4f8::/120", "11.0.0.0/28"] }, 7n)).toBe(272);
  });

  it("carry the --asn label each address was drawn from", async () => {
    const count = await compare({ asns: ["AS13335"], sample: 500n, seed: "asn" }, 64n);
    expect(count).toBe(500);
  });

  it("are absent with --mmdb (its annotations need the file)", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-space-"));
    try {
      const mmdb = join(dir, "country.mmdb");
      writeFileSync(
        mmdb,
        buildMmdb([{ network: "11.0.0.0/30", data: { country: { iso_code: "DE" } } }], {
          databaseType: "GeoLite2-Country",
        }),
      );
      expect((await planTargets({ ...none, args: ["11.0.0.0/30"], mmdb })).spaceDescriptor()).toBeNull();
      expect((await planTargets({ ...none, args: ["11.0.0.0/30"] })).spaceDescriptor()).not.toBeNull();
    } finally {
      stderr.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
