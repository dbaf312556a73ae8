import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import {
  asnRanges,
  countryRanges,
  GEO_DATA_SOURCES,
  type GeoDataFiles,
  type GeoRange,
  parseAsn,
} from "./geo-prefixes.js";

async function collect(ranges: AsyncIterable<GeoRange>): Promise<GeoRange[]> {
  const out: GeoRange[] = [];
  for await (const range of ranges) out.push(range);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-geo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, ipv4: string[], ipv6: string[]): GeoDataFiles {
  const files = { ipv4: join(dir, `${name}-ipv4.csv`), ipv6: join(dir, `${name}-ipv6.csv`) };
  writeFileSync(files.ipv4, `${ipv4.join("\n")}\n`);
  writeFileSync(files.ipv6, `${ipv6.join("\n")}\n`);
  return files;
}

const V6_DOC = 0x20010db8n << 96n; // 2001:db8::
const countries = fixture(
  "country",
  ["16777216,16777471,AU", "16777472,16778239,CN", "16778240,16779263,AU", "16779264,16779519,AU"],
  [`${V6_DOC},${V6_DOC + 0xffffn},JP`, `${V6_DOC + 0x10000n},${V6_DOC + 0x1ffffn},AU`],
);
const asns = fixture(
  "asn",
  ['16777216,16777471,13335,"Cloudflare, Inc."', "16778240,16779263,38803,Gtelecom Pty Ltd"],
  [`${V6_DOC},${V6_DOC + 0xffn},64500,Documentation AS`],
);

describe("countryRanges on fixtures", () => {
  it("yields IPv4 then IPv6 ranges of the code, joining touching rows", async () => {
    expect(await collect(countryRanges(["au"], countries))).toEqual([
      { family: 4, first: 16777216n, last: 16777471n, country: "AU" },
      { family: 4, first: 16778240n, last: 16779519n, country: "AU" },
      { family: 6, first: V6_DOC + 0x10000n, last: V6_DOC + 0x1ffffn, country: "AU" },
    ]);
  });

  it("takes several codes (the union, in file order)", async () => {
    const ranges = await collect(countryRanges(["CN", "JP"], countries));
    expect(ranges.map((r) => r.country)).toEqual(["CN", "JP"]);
  });

  it("rejects codes the data does not hold, or that are not two letters, before yielding", async () => {
    await expect(collect(countryRanges(["AU", "XX"], countries))).rejects.toThrow(
      new InputError("unknown country code XX"),
    );
    await expect(collect(countryRanges(["USA"], countries))).rejects.toThrow("unknown country code USA");
    await expect(collect(countryRanges(["1"], countries))).rejects.toBeInstanceOf(InputError);
    await expect(collect(countryRanges(["XX", "YY"], countries))).rejects.toThrow(
      "unknown country codes XX, YY",
    );
  });

  it("names an unreadable data file", async () => {
    const gone = { ipv4: join(dir, "missing.csv"), ipv6: join(dir, "missing6.csv") };
    await expect(collect(countryRanges(["AU"], gone))).rejects.toThrow(/cannot read geo data file .*missing/);
  });
});

describe("asnRanges on fixtures", () => {
  it("yields the ranges of each ASN, ignoring commas in the organisation", async () => {
    expect(await collect(asnRanges([13335, 64500], asns))).toEqual([
      { family: 4, first: 16777216n, last: 16777471n, asn: 13335 },
      { family: 6, first: V6_DOC, last: V6_DOC + 0xffn, asn: 64500 },
    ]);
  });

  it("rejects an ASN that appears nowhere, and a number that is no ASN", async () => {
    await expect(collect(asnRanges([4294967295], asns))).rejects.toThrow(
      new InputError("unknown ASN 4294967295"),
    );
    await expect(collect(asnRanges([-1], asns))).rejects.toThrow("not an ASN: -1");
    await expect(collect(asnRanges([1.5], asns))).rejects.toBeInstanceOf(InputError);
  });
});

describe("parseAsn", () => {
  it("takes plain and AS-prefixed numbers", () => {
    expect(parseAsn("13335")).toBe(13335);
    expect(parseAsn("AS13335")).toBe(13335);
    expect(parseAsn(" as64500 ")).toBe(64500);
    expect(() => parseAsn("AS")).toThrow(InputError);
    expect(() => parseAsn("4294967296")).toThrow("not an ASN");
    expect(() => parseAsn("13335x")).toThrow(InputError);
  });
});

describe("the installed data sets", () => {
  it("find a country's IPv4 and IPv6 ranges (Australia holds 1.0.0.0/24)", async () => {
    let v4 = 0;
    let v6 = 0;
    let holdsFirst = false;
    for await (const range of countryRanges(["AU"])) {
      if (range.family === 4) v4 += 1;
      else v6 += 1;
      if (range.family === 4 && range.first <= 16777216n && range.last >= 16777471n) holdsFirst = true;
    }
    expect(holdsFirst).toBe(true);
    expect(v4).toBeGreaterThan(1000);
    expect(v6).toBeGreaterThan(100);
  });

  it("find an ASN's ranges (AS13335 holds 1.1.1.0/24) and reject an unknown one", async () => {
    const ranges = await collect(asnRanges([13335]));
    expect(ranges.some((r) => r.family === 4 && r.first <= 16843008n && r.last >= 16843263n)).toBe(true);
    expect(ranges.some((r) => r.family === 6)).toBe(true);
    await expect(collect(asnRanges([4294967295]))).rejects.toThrow("unknown ASN 4294967295");
  });

  it("reject a country code the data does not hold", async () => {
    await expect(collect(countryRanges(["ZZ"]))).rejects.toThrow("unknown country code ZZ");
  });

  it("describe each source with its installed version and licence", () => {
    expect(GEO_DATA_SOURCES).toHaveLength(2);
    for (const source of GEO_DATA_SOURCES) {
      expect(source.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(source.licence).toMatch(/CC/);
      expect(source.attribution).toMatch(/nro\.net/);
    }
  });
});
