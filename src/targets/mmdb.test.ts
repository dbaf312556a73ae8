import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import maxmind from "maxmind";
import { afterAll, describe, expect, it } from "vitest";
import { buildMmdb, type MmdbEntry, type MmdbOptions } from "../../test/support/mmdb-writer.js";
import { InputError } from "../core/errors.js";
import { annotationOf, openMmdb } from "./mmdb.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-mmdb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let written = 0;
function writeDb(entries: MmdbEntry[], options?: MmdbOptions): string {
  const path = join(dir, `db-${written++}.mmdb`);
  writeFileSync(path, buildMmdb(entries, options));
  return path;
}

const names = (en: string) => ({ names: { en } });
const countryDb = () =>
  writeDb(
    [
      { network: "192.0.2.0/24", data: { country: { iso_code: "DE", ...names("Germany") } } },
      // a GeoLite2 row with no country, only where the block is registered
      { network: "198.51.100.0/24", data: { registered_country: { iso_code: "NL", geoname_id: 2750405 } } },
      { network: "2001:db8::/32", data: { country: { iso_code: "FR" }, continent: { code: "EU" } } },
      { network: "2001:db8:1::/48", data: { country: { iso_code: "BE" } } },
    ],
    { databaseType: "GeoLite2-Country" },
  );

describe("the test writer, checked by the maxmind reader", () => {
  it("writes a database maxmind opens, with its metadata and every kind of value", async () => {
    const path = writeDb(
      [
        {
          network: "203.0.113.0/24",
          data: {
            s: "x".repeat(300),
            n16: 443,
            n32: 70_000,
            big: 2n ** 40n,
            yes: true,
            list: ["a", "b"],
            f: 1.5,
          },
        },
        { network: "2001:db8::/32", data: { s: "six" } },
      ],
      { databaseType: "Writer-Test", description: "round trip" },
    );
    const reader = await maxmind.open<Record<string, unknown>>(path);
    expect(reader.metadata.databaseType).toBe("Writer-Test");
    expect(reader.metadata.ipVersion).toBe(6);
    expect(reader.metadata.recordSize).toBe(24);
    expect(reader.metadata.description).toEqual({ en: "round trip" });
    expect(reader.get("203.0.113.77")).toEqual({
      s: "x".repeat(300),
      n16: 443,
      n32: 70_000,
      big: 2n ** 40n,
      yes: true,
      list: ["a", "b"],
      f: 1.5,
    });
    expect(reader.get("2001:db8:ffff::1")).toEqual({ s: "six" });
    expect(reader.get("203.0.114.1")).toBeNull();
    expect(reader.get("2001:db9::1")).toBeNull();
    const [, prefix] = reader.getWithPrefixLength("203.0.113.1");
    expect(prefix).toBe(24); // mmdb-lib counts from the IPv4 subtree
  });

  it("writes IPv4-only databases and lets narrower networks override wider ones", async () => {
    const path = writeDb(
      [
        { network: "10.0.0.0/8", data: { v: "wide" } },
        { network: "10.1.0.0/16", data: { v: "narrow" } },
      ],
      { ipVersion: 4 },
    );
    const reader = await maxmind.open<Record<string, unknown>>(path);
    expect(reader.metadata.ipVersion).toBe(4);
    expect(reader.get("10.1.2.3")).toEqual({ v: "narrow" });
    expect(reader.get("10.2.0.1")).toEqual({ v: "wide" });
    expect(reader.get("11.0.0.1")).toBeNull();
  });
});

describe("openMmdb", () => {
  it("annotates country-style databases for IPv4 and IPv6", async () => {
    const db = await openMmdb(countryDb());
    expect(db.databaseType).toBe("GeoLite2-Country");
    expect(db.annotate("192.0.2.10")).toEqual({ country: "DE" });
    expect(db.annotate("::ffff:192.0.2.10")).toEqual({ country: "DE" });
    expect(db.annotate("198.51.100.1")).toEqual({ country: "NL" });
    expect(db.annotate("2001:db8:2::25")).toEqual({ country: "FR" });
    expect(db.annotate("2001:db8:1::25")).toEqual({ country: "BE" });
    expect(db.annotate("203.0.113.1")).toEqual({});
    expect(db.annotate("2001:db9::1")).toEqual({});
  });

  it("annotates ASN-style databases", async () => {
    const db = await openMmdb(
      writeDb([
        {
          network: "192.0.2.0/24",
          data: { autonomous_system_number: 64500, autonomous_system_organization: "Example" },
        },
        { network: "2001:db8::/32", data: { autonomous_system_number: 4_200_000_000 } },
      ]),
    );
    expect(db.annotate("192.0.2.1")).toEqual({ asn: 64500 });
    expect(db.annotate("2001:db8::1")).toEqual({ asn: 4_200_000_000 });
  });

  it("annotates flat ip-location-db / ipinfo records with ASNs as text", async () => {
    const db = await openMmdb(
      writeDb(
        [
          { network: "192.0.2.0/24", data: { country_code: "us", asn: "AS13335", as_name: "Cloudflare" } },
          { network: "198.51.100.0/24", data: { country: "JP", asn: "2497" } },
        ],
        { ipVersion: 4 },
      ),
    );
    expect(db.ipVersion).toBe(4);
    expect(db.annotate("192.0.2.1")).toEqual({ country: "US", asn: 13335 });
    expect(db.annotate("198.51.100.1")).toEqual({ country: "JP", asn: 2497 });
    // an IPv4-only database knows nothing of IPv6
    expect(db.annotate("2001:db8::1")).toEqual({});
  });

  it("rejects an argument that is no address", async () => {
    const db = await openMmdb(countryDb());
    expect(() => db.annotate("mail.example")).toThrow(InputError);
  });

  it("turns unreadable, corrupt and truncated files into one-line InputErrors naming the file", async () => {
    const good = buildMmdb([{ network: "192.0.2.0/24", data: { country: { iso_code: "DE" } } }]);
    const cases: Array<[string, Buffer | null]> = [
      ["missing", null],
      ["empty", Buffer.alloc(0)],
      ["random", randomBytes(4096)],
      ["head", good.subarray(0, Math.floor(good.length / 2))],
      ["tail-cut", good.subarray(0, good.length - 20)],
      ["tree-cut", Buffer.concat([good.subarray(0, 12), good.subarray(40)])],
      ["gzip", gzipSync(good)],
    ];
    for (const [name, bytes] of cases) {
      const path = join(dir, `${name}.mmdb`);
      if (bytes) writeFileSync(path, bytes);
      const error = await openMmdb(path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(InputError);
      expect((error as Error).message, name).toContain(path);
      expect((error as Error).message, name).not.toContain("\n");
    }
  });
});

describe("annotationOf", () => {
  it("prefers country over registered_country, and ignores values of the wrong shape", () => {
    expect(annotationOf({ country: { iso_code: "AT" }, registered_country: { iso_code: "DE" } })).toEqual({
      country: "AT",
    });
    expect(annotationOf({ traits: { autonomous_system_number: 3320 } })).toEqual({ asn: 3320 });
    expect(annotationOf({ country_code: "Germany", asn: "ASX" })).toEqual({});
    expect(annotationOf(null)).toEqual({});
    expect(annotationOf("DE")).toEqual({});
  });
});
