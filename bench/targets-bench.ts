/**
 * `npm run bench:targets`: how fast target generation runs and how much memory it takes. No
 * network at all: addresses are only generated, hashed and counted, never connected to.
 *
 *   node dist/bench/targets-bench.js [--count 10000000] [--seed bench]
 *
 * Each case runs in its own child process (this file with --case NAME), so the peak RSS of one
 * case is not inflated by another; a child prints one JSON line. The parent prints a markdown
 * table: items, seconds, items per second, peak RSS (and the RSS of a child that does nothing,
 * for the baseline of Node itself).
 *
 * Cases: `sample-v4` is the headline (--count addresses, as strings, uniformly from the whole
 * IPv4 space after the special-purpose exclusion); the others measure the pieces and the
 * alternatives that the design chose between (Number vs bigint Feistel, FNV vs SHA-256 shard hash).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { formatV4, parseV4Number } from "../src/targets/address-value.js";
import { Deduper } from "../src/targets/dedupe.js";
import { Exclusion, parseExcludeList } from "../src/targets/exclusions.js";
import { BigFeistel, SmallFeistel } from "../src/targets/permutation.js";
import { type AddressSpace, RangeSet, spaceFromCidrs } from "../src/targets/range-set.js";
import { sampleAddresses } from "../src/targets/sample.js";
import { inShard } from "../src/targets/shard.js";
import { numberArg, parseArgs } from "./common.js";

interface CaseResult {
  items: number;
  seconds: number;
  maxRssKb: number;
  note?: string;
}

const args = parseArgs(process.argv.slice(2));
const count = Math.floor(numberArg(args, "count", 10_000_000));
const seed = args.get("seed") ?? "bench";

async function publicSpace(withV6: boolean): Promise<AddressSpace> {
  const exclusion = await Exclusion.build();
  return exclusion.apply(spaceFromCidrs(withV6 ? ["0.0.0.0/0", "2000::/3"] : ["0.0.0.0/0"]));
}

/** Times `work`, which returns how many items it handled and something to print (so no dead code). */
function time(work: () => { items: number; note?: string }): {
  items: number;
  seconds: number;
  note?: string;
} {
  const started = performance.now();
  const result = work();
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

function someAddresses(space: AddressSpace, n: number): string[] {
  return [...sampleAddresses(space, n, `${seed}/inputs`)];
}

const CASES: Record<string, () => Promise<{ items: number; seconds: number; note?: string }>> = {
  async baseline() {
    return { items: 0, seconds: 0, note: "Node itself, nothing done" };
  },

  async "sample-v4"() {
    const space = await publicSpace(false);
    return time(() => {
      const sample = sampleAddresses(space, count, seed);
      let chars = 0;
      for (const ip of sample) chars += ip.length;
      return {
        items: Number(sample.count),
        note: `of ${sample.spaceSize} public IPv4 addresses; ${chars} chars`,
      };
    });
  },

  async "sample-v4+dedupe"() {
    const space = await publicSpace(false);
    return time(() => {
      const dedupe = new Deduper();
      let repeats = 0;
      for (const ip of sampleAddresses(space, count, seed)) if (dedupe.seen(ip)) repeats += 1;
      return {
        items: count,
        note: `${repeats} repeats; ${(dedupe.v4PageBytes / 2 ** 20).toFixed(0)} MiB of pages`,
      };
    });
  },

  async "sample-v4+v6"() {
    const space = await publicSpace(true);
    const n = Math.min(count, 1_000_000);
    return time(() => {
      let v6 = 0;
      for (const ip of sampleAddresses(space, n, seed)) if (ip.includes(":")) v6 += 1;
      return { items: n, note: `bigint path; ${v6} IPv6` };
    });
  },

  async "permute-number"() {
    const n = (await publicSpace(false)).v4.size();
    const permutation = new SmallFeistel(n, seed);
    return time(() => {
      let sum = 0;
      for (let k = 0; k < count; k++) sum += permutation.permuteNumber(k);
      return { items: count, note: `n = ${n}; checksum ${sum % 1000}` };
    });
  },

  async "permute-bigint"() {
    const n = (await publicSpace(false)).v4.size();
    const permutation = new BigFeistel(n, seed);
    const steps = Math.min(count, 1_000_000);
    return time(() => {
      let sum = 0n;
      for (let k = 0n; k < BigInt(steps); k++) sum += permutation.permute(k);
      return { items: steps, note: `same n in bigint; checksum ${sum % 1000n}` };
    });
  },

  async "shard-fnv"() {
    const inputs = someAddresses(await publicSpace(false), 2_000_000);
    return time(() => {
      let mine = 0;
      for (const ip of inputs) if (inShard(ip, { index: 3, count: 16 })) mine += 1;
      return { items: inputs.length, note: `inShard 3/16: ${mine} in` };
    });
  },

  async "shard-sha256"() {
    const inputs = someAddresses(await publicSpace(false), 2_000_000);
    return time(() => {
      let mine = 0;
      const bytes = Buffer.alloc(4);
      for (const ip of inputs) {
        bytes.writeUInt32BE(parseV4Number(ip) as number);
        const h = createHash("sha256").update(bytes).digest().readUInt32BE(0);
        if (h % 16 === 3) mine += 1;
      }
      return { items: inputs.length, note: `the alternative: first 4 bytes of SHA-256; ${mine} in` };
    });
  },

  async "rangeset-1M-/32s"() {
    let x = 1;
    const values: number[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      values.push(x);
    }
    return time(() => {
      const set = new RangeSet(4);
      for (const v of values) set.addNumbers(v, v);
      set.freeze();
      return { items: values.length, note: `add + freeze; ${set.rangeCount} ranges` };
    });
  },

  async "exclude-file-1M-lines"() {
    const lines: string[] = [];
    let x = 2;
    for (let i = 0; i < 1_000_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      lines.push(i % 10 === 0 ? `${formatV4(x & 0xffffff00)}/24 # net` : formatV4(x));
    }
    const text = lines.join("\n");
    return time(() => {
      const space = parseExcludeList(text, "bench");
      return { items: lines.length, note: `parse + merge; ${space.v4.rangeCount} ranges` };
    });
  },
};

async function runCase(name: string): Promise<void> {
  const measure = CASES[name];
  if (!measure) throw new Error(`no case ${name}; cases: ${Object.keys(CASES).join(", ")}`);
  const result = await measure();
  const line: CaseResult = { ...result, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function runAll(): void {
  const self = fileURLToPath(import.meta.url);
  const rows = [
    `targets benchmark: --count ${count.toLocaleString("en")}, seed ${JSON.stringify(seed)}, Node ${process.version}`,
    "",
    "| case | items | seconds | items/s | peak RSS | note |",
    "|---|---:|---:|---:|---:|---|",
  ];
  for (const name of Object.keys(CASES)) {
    process.stderr.write(`[bench] ${name}\n`);
    const child = spawnSync(
      process.execPath,
      [self, "--case", name, "--count", String(count), "--seed", seed],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    const last = child.stdout.trim().split("\n").pop();
    if (child.status !== 0 || !last) {
      rows.push(`| ${name} | failed | | | | ${child.stderr.trim().split("\n").pop() ?? ""} |`);
      continue;
    }
    const r = JSON.parse(last) as CaseResult;
    const rate = r.seconds > 0 ? Math.round(r.items / r.seconds).toLocaleString("en") : "";
    rows.push(
      `| ${name} | ${r.items.toLocaleString("en")} | ${r.seconds.toFixed(2)} | ${rate} | ${(r.maxRssKb / 1024).toFixed(0)} MB | ${r.note ?? ""} |`,
    );
  }
  process.stdout.write(`${rows.join("\n")}\n`);
}

const only = args.get("case");
if (only) await runCase(only);
else runAll();
