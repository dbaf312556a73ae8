import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { checkDomainFile, type DomainEntry, normaliseDomain, readDomainFile } from "./domain-file.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smtpsurvey-domains-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileNumber = 0;
async function fileWith(text: string): Promise<string> {
  fileNumber += 1;
  const path = join(dir, `domains-${fileNumber}.txt`);
  await writeFile(path, text);
  return path;
}

async function read(path: string): Promise<DomainEntry[]> {
  const entries: DomainEntry[] = [];
  for await (const entry of readDomainFile(path)) entries.push(entry);
  return entries;
}

describe("readDomainFile", () => {
  it("reads a plain list with comments, blank lines, CRLF and a trailing dot", async () => {
    const path = await fileWith(
      "# mail domains\r\nExample.COM\r\n\r\n  example.org.  # trailing comment\r\n",
    );
    expect(await read(path)).toEqual([
      { domain: "example.com", line: 2 },
      { domain: "example.org", line: 4 },
    ]);
  });

  it("reads domain,category CSV and skips a header", async () => {
    const path = await fileWith('domain,category\nexample.com,bank\n"example.net","news"\nexample.org,\n');
    expect(await read(path)).toEqual([
      { domain: "example.com", category: "bank", line: 2 },
      { domain: "example.net", category: "news", line: 3 },
      { domain: "example.org", line: 4 },
    ]);
  });

  it("reads CSV without a header, and other header names", async () => {
    expect(await read(await fileWith("example.com,bank\n"))).toEqual([
      { domain: "example.com", category: "bank", line: 1 },
    ]);
    expect(await read(await fileWith("Domain Name,Sector\nexample.com,bank\n"))).toEqual([
      { domain: "example.com", category: "bank", line: 2 },
    ]);
    expect(await read(await fileWith("\uFEFFdomain\nexample.com\n"))).toEqual([
      { domain: "example.com", line: 2 },
    ]);
  });

  it("converts an internationalised name to its ASCII form", async () => {
    expect(await read(await fileWith("münchen.de\n"))).toEqual([{ domain: "xn--mnchen-3ya.de", line: 1 }]);
  });

  it.each([
    ["example.com\nnot a domain\n", ":2: not a domain name"],
    ["example.com\n192.0.2.1\n", ":2: an IP address, not a domain name"],
    ["-bad.example\n", ":1: not a domain name"],
    ["localhost\n", ":1: not a domain name"],
    ["example.com,bank,extra\n", ':1: expected "domain" or "domain,category", got 3 fields'],
    ["domain,category\nbad_name.example,bank\n", ":2: not a domain name"],
    [`${"a".repeat(64)}.example\n`, ":1: not a domain name"],
  ])("rejects %j naming file and line", async (text, message) => {
    const path = await fileWith(text);
    await expect(read(path)).rejects.toThrow(InputError);
    await expect(read(path)).rejects.toThrow(`${path}${message}`);
  });

  it("rejects a file with no domains", async () => {
    const path = await fileWith("# nothing here\n\ndomain,category\n");
    await expect(read(path)).rejects.toThrow(new InputError(`${path}: no domains`));
  });

  it("rejects a missing file and a directory", async () => {
    const missing = join(dir, "missing.txt");
    await expect(read(missing)).rejects.toThrow(new InputError(`cannot read domains file ${missing}`));
    const sub = join(dir, "a-directory");
    await mkdir(sub);
    await expect(read(sub)).rejects.toThrow(InputError);
  });

  it("streams a large file and counts it", async () => {
    const count = 100_000;
    const lines = Array.from({ length: count }, (_, i) => `d${i}.example.com,cat${i % 7}`);
    const path = await fileWith(`domain,category\n${lines.join("\n")}\n`);
    expect(await checkDomainFile(path)).toBe(count);
  });
});

describe("normaliseDomain", () => {
  it("accepts a 253-character name and refuses a longer one", () => {
    const label = "a".repeat(63);
    const name = `${label}.${label}.${label}.${"b".repeat(61)}`;
    expect(name).toHaveLength(253);
    expect(normaliseDomain(name)).toEqual({ domain: name });
    expect(normaliseDomain(`x${name}`)).toHaveProperty("problem");
  });

  it("refuses an all-numeric top-level label", () => {
    expect(normaliseDomain("1.2.3")).toHaveProperty("problem");
  });
});
