/**
 * planTargets end to end over local sources (no DNS): what it streams, expects and records.
 * The snapshots were taken from the single-function planTargets before it was split, so they
 * hold the split to the same behaviour.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { buildMmdb } from "../../test/support/mmdb-writer.js";
import { InputError } from "../core/errors.js";
import { Scope } from "../core/scope.js";
import { planTargets, type TargetOptions } from "./plan.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const none: TargetOptions = { args: [], inputs: [], countries: [], asns: [], excludes: [] };

/** Everything a plan shows, bigints as strings, temporary paths made stable. */
async function observe(options: Partial<TargetOptions>) {
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const plan = await planTargets({ ...none, ...options });
    const targets = [];
    for await (const target of plan.stream()) targets.push(target);
    const shown = {
      spaceSize: plan.spaceSize,
      expected: plan.expected,
      sample: plan.sample ? { count: plan.sample.count, everything: plan.sample.everything } : null,
      targets,
      exclusionSummary: plan.exclusionSummary(),
      meta: plan.meta(),
      stderr: stderr.mock.calls.map(([text]) => String(text)),
    };
    return JSON.parse(
      JSON.stringify(shown, (_, value) => (typeof value === "bigint" ? `${value}n` : value)).replaceAll(
        dir,
        "DIR",
      ),
    ) as unknown;
  } finally {
    stderr.mockRestore();
  }
}

describe("planTargets", () => {
  it("merges addresses from the command line, plain, zmap and zgrab2 files, less the exclusions", async () => {
    const plain = file("plain.txt", "# plain\n11.0.1.0/31\n11.0.0.3\n\n11.0.0.1\n");
    const zmap = file("zmap.csv", "saddr,success\n11.0.2.1,1\n11.0.2.2,0\n11.0.2.3,1\n");
    const zgrab2 = file(
      "zgrab2.csv",
      "11.0.3.1,mail.example,smtp,25\n11.0.3.1,mail.example,smtp,25\n11.0.3.0/31,,submission,587\n10.0.0.9,,smtp,25\n11.0.9.9,,x,2525\n",
    );
    const exclude = file("exclude.txt", "11.0.0.2\n11.0.9.9 # no\n");
    expect(
      await observe({
        args: ["11.0.0.0/30", "11.0.0.1", "10.0.0.1", "2400:cb00::/127"],
        inputs: [plain, zmap, zgrab2],
        excludes: [exclude],
      }),
    ).toMatchSnapshot();
  });

  it("keeps a special-purpose range the scope names", async () => {
    expect(
      await observe({ args: ["127.77.1.0/30", "10.0.0.0/31"], scope: Scope.parse("127.77.0.0/16") }),
    ).toMatchSnapshot();
  });

  it("samples with a seed and keeps one shard of the sample", async () => {
    expect(
      await observe({
        args: ["11.0.0.0/24", "2400:cb00::/64"],
        sample: 20n,
        seed: "plan-test",
        shard: { index: 1, count: 3 },
      }),
    ).toMatchSnapshot();
  });

  it("samples everything when asked for more than there is", async () => {
    expect(await observe({ args: ["11.0.0.0/30"], sample: 10n })).toMatchSnapshot();
  });

  it("lists only IPv4 when the IPv6 part is too big to walk", async () => {
    expect(await observe({ args: ["11.0.0.0/31", "2400:cb00::/64"] })).toMatchSnapshot();
  });

  it("annotates from an mmdb database, the target's own fields first", async () => {
    const mmdb = file(
      "geo.mmdb",
      buildMmdb(
        [
          { network: "11.0.0.0/30", data: { country: { iso_code: "DE" } } },
          { network: "11.0.3.0/24", data: { country: { iso_code: "FR" } } },
        ],
        { databaseType: "GeoLite2-Country" },
      ),
    );
    const zgrab2 = file("tagged.csv", "11.0.3.1,,smtp,25\n");
    expect(await observe({ args: ["11.0.0.0/29"], inputs: [zgrab2], mmdb })).toMatchSnapshot();
  });

  it("draws from an AS's ranges and labels each address with it", async () => {
    const result = (await observe({ asns: ["AS13335, 13335"], sample: 5n, seed: "asn" })) as {
      targets: Array<{ asn?: number }>;
      meta: { sources: { asns: number[] }; data_sources: unknown[] };
    };
    expect(result.meta.sources.asns).toEqual([13335]);
    expect(result.meta.data_sources.length).toBeGreaterThan(0);
    // which addresses is left to the data set's version: only that each carries its AS
    expect(result.targets.map((t) => t.asn)).toEqual([13335, 13335, 13335, 13335, 13335]);
  });

  it("refuses nothing to scan, and says when the exclusions took it all", async () => {
    await expect(planTargets(none)).rejects.toThrow(/^no targets: give/);
    await expect(planTargets({ ...none, args: ["10.0.0.0/30"] })).rejects.toThrow(
      /^no targets left: dropped 4 addresses in special-purpose ranges, 0 on the --exclude list$/,
    );
    await expect(planTargets({ ...none, args: ["10.0.0.0/30"], sample: 2n })).rejects.toThrow(
      /^--sample draws from addresses/,
    );
    await expect(planTargets({ ...none, inputs: [join(dir, "missing")] })).rejects.toThrow(InputError);
    await expect(planTargets({ ...none, asns: ["ASX"] })).rejects.toThrow(/not an ASN/);
    await expect(planTargets({ ...none, args: ["11.0.0.1/33"] })).rejects.toThrow(InputError);
  });

  it("spools a pipe, which cannot be read twice, and streams the copy", async () => {
    const fifo = join(dir, "zgrab2.fifo");
    execFileSync("mkfifo", [fifo]);
    // opening a FIFO for writing waits for its reader: the plan is that reader
    createWriteStream(fifo).end("11.0.5.1,,smtp,25\n11.0.5.2,,smtp,465\n");
    expect(await observe({ inputs: [fifo] })).toMatchSnapshot();
  });
});
