/**
 * How fast --country / --asn turn into address ranges, and at what memory cost.
 *
 *   node dist/bench/geo-bench.js [--countries US,DE] [--asns 3320] [--strings 2000000] [--repeat 3]
 *
 * Each measurement runs in its own child (under /usr/bin/time -v, so peak RSS is its own):
 *   - "ranges": stream the data set's CSVs, yield every range of the key and sum the addresses
 *     (IPv4 exactly; IPv6 as a count of /64s, since the address count is astronomical);
 *   - "strings": turn the first --strings addresses of those ranges into text with
 *     addressFromBigint, as a caller expanding ranges into targets would, for an addresses/s rate.
 * Nothing touches the network. Prints markdown and writes bench/results/geo.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addressFromBigint } from "../src/core/cidr.js";
import { repoRoot } from "../src/core/paths.js";
import { asnRanges, countryRanges, GEO_DATA_SOURCES, type GeoRange } from "../src/targets/geo-prefixes.js";
import { lastJsonLine, MB, numberArg, parseArgs, sampleHeap, timed } from "./common.js";

interface Measured {
  what: string;
  ranges4: number;
  ranges6: number;
  addresses4: string;
  /** IPv6 size in /64 networks */
  nets64: string;
  strings: number;
  seconds: number;
  peakHeapKb: number;
  maxRssKb: number;
}

const args = parseArgs(process.argv.slice(2));
const one = args.get("one");
if (one) {
  await measureOne(one, args.get("mode") ?? "ranges", numberArg(args, "strings", 0));
} else {
  await main();
}

function rangesOf(spec: string): AsyncGenerator<GeoRange> {
  const [kind, key = ""] = spec.split(":");
  return kind === "asn" ? asnRanges([Number(key)]) : countryRanges([key]);
}

/** In a child: one measurement, printed as a JSON line. */
async function measureOne(spec: string, mode: string, stringLimit: number): Promise<void> {
  const stopHeap = sampleHeap();
  const started = performance.now();
  let ranges4 = 0;
  let ranges6 = 0;
  let addresses4 = 0n;
  let nets64 = 0n;
  let strings = 0;
  let checksum = 0; // keeps the strings from being optimised away
  outer: for await (const range of rangesOf(spec)) {
    if (range.family === 4) {
      ranges4 += 1;
      addresses4 += range.last - range.first + 1n;
    } else {
      ranges6 += 1;
      nets64 += ((range.last - range.first) >> 64n) + 1n;
    }
    if (mode === "strings") {
      const bytes = range.family === 4 ? 4 : 16;
      for (let value = range.first; value <= range.last; value++) {
        checksum += addressFromBigint(value, bytes).length;
        if (++strings >= stringLimit) break outer;
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const result: Measured = {
    what: `${spec} ${mode}`,
    ranges4,
    ranges6,
    addresses4: addresses4.toString(),
    nets64: nets64.toString(),
    strings,
    seconds,
    peakHeapKb: stopHeap(),
    maxRssKb: process.resourceUsage().maxRSS,
  };
  if (checksum < 0) throw new Error("unreachable");
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  const countries = (args.get("countries") ?? "US,DE").split(",").map((c) => `country:${c.trim()}`);
  const asns = (args.get("asns") ?? "3320").split(",").map((a) => `asn:${a.trim()}`);
  const stringLimit = numberArg(args, "strings", 2_000_000);
  const repeat = Math.max(1, Math.floor(numberArg(args, "repeat", 3)));
  const self = process.argv[1] as string;

  const rows: string[] = [];
  const say = (line = "") => {
    rows.push(line);
    process.stdout.write(`${line}\n`);
  };
  say("# Geo prefixes: --country / --asn expansion");
  say();
  say(`Best of ${repeat} runs each (wall time from the child's own clock; peak RSS is the highest run).`);
  say();
  say(
    "| what | IPv4 ranges | IPv4 addresses | IPv6 ranges | IPv6 /64s | seconds | rate | peak heap | peak RSS |",
  );
  say("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const spec of [...countries, ...asns]) {
    for (const mode of ["ranges", "strings"]) {
      let best: Measured | undefined;
      let rss = 0;
      for (let r = 0; r < repeat; r++) {
        const run = await timed(
          process.execPath,
          [self, "--one", spec, "--mode", mode, "--strings", String(stringLimit)],
          600_000,
        );
        if (run.code !== 0) throw new Error(`${spec} ${mode} failed: ${run.stderr.trim()}`);
        const measured = lastJsonLine<Measured>(run.stdout);
        rss = Math.max(rss, run.maxRssKb ?? measured.maxRssKb);
        if (!best || measured.seconds < best.seconds) best = measured;
      }
      if (!best) continue;
      const rate =
        mode === "strings"
          ? `${Math.round(best.strings / best.seconds).toLocaleString("en")} addr/s`
          : `${Math.round((best.ranges4 + best.ranges6) / best.seconds).toLocaleString("en")} ranges/s`;
      // A strings run stops early, so its range counts are partial: leave them out.
      const counts =
        mode === "strings"
          ? ["–", "–", "–", "–"]
          : [best.ranges4, BigInt(best.addresses4), best.ranges6, BigInt(best.nets64)].map((n) =>
              n.toLocaleString("en"),
            );
      const what =
        mode === "strings" ? `${best.what} (first ${best.strings.toLocaleString("en")})` : best.what;
      say(
        `| ${what} | ${counts.join(" | ")} | ${best.seconds.toFixed(2)} | ${rate} | ${MB(best.peakHeapKb)} | ${MB(rss)} |`,
      );
    }
  }
  say();
  say("Ranges are counted after joining touching rows of the same key; the strings runs stop early.");
  say();
  say("Data:");
  for (const source of GEO_DATA_SOURCES) {
    say(`- ${source.package} ${source.version}: ${source.licence}. ${source.attribution}`);
  }
  const dir = join(repoRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "geo.md"), `${rows.join("\n")}\n`);
}
