import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import {
  detectInputFormat,
  type FileTarget,
  formatOfLine,
  readFormattedTargets,
  splitCsvLine,
} from "./input-formats.js";

const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(text: string): string {
  const path = join(dir, `targets-${files++}.txt`);
  writeFileSync(path, text);
  return path;
}

async function read(path: string, format: "zmap" | "zgrab2"): Promise<FileTarget[]> {
  const out: FileTarget[] = [];
  for await (const entry of readFormattedTargets(path, format)) out.push(entry);
  return out;
}

/** The rows as short text, so expectations read like the files. */
function show(entry: FileTarget): string {
  if (entry.kind === "address") return `address ${JSON.stringify(entry.target)}`;
  if (entry.kind === "cidr") return `cidr ${entry.cidr.text} ${JSON.stringify(entry.fields)}`;
  return `name ${entry.name} ${JSON.stringify(entry.fields)}`;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as Error;
}

describe("format detection", () => {
  it("reads the first meaningful line", () => {
    expect(formatOfLine("saddr,daddr,sport,dport,seqnum,acknum,window")).toBe("zmap");
    expect(formatOfLine("saddr")).toBe("zmap");
    expect(formatOfLine("classification, saddr ,success")).toBe("zmap");
    expect(formatOfLine("192.0.2.1,mail.example.org,smtp,25")).toBe("zgrab2");
    expect(formatOfLine(",mail.example.org")).toBe("zgrab2");
    expect(formatOfLine("192.0.2.1")).toBe("plain");
    expect(formatOfLine("192.0.2.0/24")).toBe("plain");
    expect(formatOfLine("mail.example.org")).toBe("plain");
  });

  it("skips comments, blank lines and a byte-order mark in files", async () => {
    expect(await detectInputFormat(file("\uFEFF# from zmap\n\nsaddr\n192.0.2.1\n"))).toBe("zmap");
    expect(await detectInputFormat(file("# a,b\n192.0.2.1,,smtp\n"))).toBe("zgrab2");
    expect(await detectInputFormat(file("192.0.2.1\n192.0.2.2,x\n"))).toBe("plain");
    expect(await detectInputFormat(file(""))).toBe("plain");
  });

  it("refuses JSON lines and unreadable files", async () => {
    const json = file('{"saddr":"192.0.2.1"}\n');
    expect((await failure(detectInputFormat(json))).message).toBe(
      `${json}:1: JSON lines are not a targets format (use zmap's CSV output)`,
    );
    expect((await failure(detectInputFormat(join(dir, "absent.csv")))).message).toMatch(
      /cannot read targets file/,
    );
  });
});

describe("zmap CSV", () => {
  it("yields saddr from a one-column file", async () => {
    const rows = await read(file("saddr\n192.0.2.1\n2001:db8::1\n::ffff:198.51.100.7\n"), "zmap");
    expect(rows.map(show)).toEqual([
      'address {"ip":"192.0.2.1"}',
      'address {"ip":"2001:db8::1"}',
      'address {"ip":"198.51.100.7"}',
    ]);
  });

  it("keeps only success=1, repeat=0 rows when those columns exist", async () => {
    const path = file(
      [
        "saddr,daddr,sport,dport,classification,success,repeat",
        "192.0.2.1,10.0.0.1,25,40000,synack,1,0",
        "192.0.2.2,10.0.0.1,25,40001,rst,0,0",
        "192.0.2.1,10.0.0.1,25,40000,synack,1,1",
        "192.0.2.3,10.0.0.1,25,40002,synack,true,false",
      ].join("\n"),
    );
    expect((await read(path, "zmap")).map(show)).toEqual([
      'address {"ip":"192.0.2.1"}',
      'address {"ip":"192.0.2.3"}',
    ]);
  });

  it("keeps every row when there is no success column", async () => {
    const path = file("classification,saddr\nrst,192.0.2.9\nsynack,192.0.2.10\n");
    expect(await read(path, "zmap")).toHaveLength(2);
  });

  it("names the file and line of a bad address or a short row", async () => {
    const bad = file("saddr,success\n192.0.2.1,1\n192.0.2.300,1\n");
    expect((await failure(read(bad, "zmap"))).message).toBe(`${bad}:3: not an IP address: "192.0.2.300"`);
    const short = file("saddr,daddr,success\n192.0.2.1,1\n");
    expect((await failure(read(short, "zmap"))).message).toBe(`${short}:2: 2 fields, but the header names 3`);
  });
});

describe("zgrab2 CSV", () => {
  it("reads every shape of row", async () => {
    const path = file(
      [
        "# ip,domain,tag,port",
        "192.0.2.1",
        "192.0.2.2, mail.example.org",
        "192.0.2.3,mail.example.org,smtp",
        "2001:db8::25,,submission,587",
        ",mx.example.net",
        ",mx.example.net,smtp,2525",
        "mx.example.com",
        "198.51.100.0/30,,lab",
        '"192.0.2.4","mail.example.org","tag, with comma",25',
      ].join("\n"),
    );
    expect((await read(path, "zgrab2")).map(show)).toEqual([
      'address {"ip":"192.0.2.1"}',
      'address {"ip":"192.0.2.2","name":"mail.example.org"}',
      'address {"ip":"192.0.2.3","name":"mail.example.org","category":"smtp"}',
      'address {"ip":"2001:db8::25","category":"submission","port":587}',
      "name mx.example.net {}",
      'name mx.example.net {"category":"smtp","port":2525}',
      "name mx.example.com {}",
      'cidr 198.51.100.0/30 {"category":"lab"}',
      'address {"ip":"192.0.2.4","name":"mail.example.org","category":"tag, with comma","port":25}',
    ]);
  });

  it("rejects bad ports, addresses, domains and rows with nothing to scan, naming file and line", async () => {
    const cases: Array<[string, string]> = [
      ["192.0.2.1,,,0", 'bad port "0" (1-65535)'],
      ["192.0.2.1,,,65536", 'bad port "65536" (1-65535)'],
      ["192.0.2.1,,,smtp", 'bad port "smtp" (1-65535)'],
      ["192.0.2.300,mail.example.org", 'not an IP address or CIDR: "192.0.2.300"'],
      ["192.0.2.0/33,,x", 'not an IP address or CIDR: "192.0.2.0/33"'],
      ["192.0.2.1,bad_name!", 'not a domain name: "bad_name!"'],
      ["192.0.2.999", 'not an IP address, CIDR or domain name: "192.0.2.999"'],
      [",,smtp,25", "no address, CIDR or domain"],
      ["192.0.2.1,a.example,t,25,extra", "5 fields; zgrab2 takes ip,domain,tag,port"],
      ['"192.0.2.1,a.example', "unterminated quoted field"],
    ];
    for (const [row, message] of cases) {
      const path = file(`192.0.2.8,ok.example\n${row}\n`);
      expect((await failure(read(path, "zgrab2"))).message, row).toBe(`${path}:2: ${message}`);
    }
  });
});

describe("splitCsvLine", () => {
  it("handles quotes and doubled quotes", () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",')).toEqual(["a", "b,c", 'say "hi"', ""]);
  });
});
