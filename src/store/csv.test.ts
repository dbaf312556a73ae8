import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReportTable } from "../core/table.js";
import { CsvWriter, csvField, csvLine, tableToCsv, writeTables } from "./csv.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "smtpsurvey-csv-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const table: ReportTable = {
  id: "software-by-port",
  title: "Software by port",
  columns: [
    { key: "product", label: "Product" },
    { key: "port", label: "Port", numeric: true },
    { key: "share", label: "Share", numeric: true, format: "percent" },
  ],
  rows: [
    { product: "Postfix", port: 25, share: 0.4125 },
    { product: 'Exim "4", or so', port: 587, share: null },
    { product: '=HYPERLINK("http://x")', port: -1, share: 1e-7 },
    { product: "line one\r\nline two" },
  ],
};

describe("csvField", () => {
  it("leaves plain text and numbers alone", () => {
    expect(csvField("Postfix")).toBe("Postfix");
    expect(csvField(25)).toBe("25");
    expect(csvField(0.4125)).toBe("0.4125");
    expect(csvField(1234567)).toBe("1234567");
    expect(csvField("")).toBe("");
  });

  it("writes null, a missing cell and a non-finite number as empty", () => {
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField(Number.NaN)).toBe("");
    expect(csvField(Number.POSITIVE_INFINITY)).toBe("");
  });

  it("quotes a comma, a quote, CR and LF, doubling quotes (RFC 4180)", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a\nb")).toBe('"a\nb"');
    expect(csvField("a\rb")).toBe('"a\rb"');
    expect(csvField('"')).toBe('""""');
  });

  it("defuses a text cell a spreadsheet would run as a formula", () => {
    expect(csvField("=1+2")).toBe("'=1+2");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    // CR first: prefixed and, because of the CR, quoted as well
    expect(csvField("\r=x")).toBe('"\'\r=x"');
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
  });

  it("keeps numbers as numbers, negative ones too", () => {
    expect(csvField(-3)).toBe("-3");
    expect(csvField(-0.5)).toBe("-0.5");
  });

  it("only looks at the first character", () => {
    expect(csvField("a=b")).toBe("a=b");
    expect(csvField("x-y@z")).toBe("x-y@z");
    expect(csvField(" =1")).toBe(" =1");
  });
});

describe("tableToCsv", () => {
  it("writes a header of column keys, then one CRLF line per row in column order", () => {
    expect(tableToCsv(table)).toBe(
      [
        "product,port,share",
        "Postfix,25,0.4125",
        '"Exim ""4"", or so",587,',
        '"\'=HYPERLINK(""http://x"")",-1,1e-7',
        '"line one\r\nline two",,',
        "",
      ].join("\r\n"),
    );
  });

  it("writes only the header for a table without rows", () => {
    expect(tableToCsv({ ...table, rows: [] })).toBe("product,port,share\r\n");
  });

  it("csvLine ends every line with CRLF", () => {
    expect(csvLine(["a", 1, null])).toBe("a,1,\r\n");
  });
});

describe("CsvWriter", () => {
  it("streams many rows to the file, visible only once closed", async () => {
    const path = join(dir, "big.csv");
    const writer = new CsvWriter(path, table.columns);
    for (let i = 0; i < 50_000; i++) await writer.write({ product: `p${i}`, port: i, share: i / 50_000 });
    expect(existsSync(path)).toBe(false);
    await writer.close();
    const lines = readFileSync(path, "utf8").split("\r\n");
    expect(lines[0]).toBe("product,port,share");
    expect(lines[1]).toBe("p0,0,0");
    expect(lines[50_000]).toBe("p49999,49999,0.99998");
    expect(lines.length).toBe(50_002); // the last line's CRLF leaves one empty string
    expect(readdirSync(dir)).toEqual(["big.csv"]);
  });

  it("writes the same text as tableToCsv", async () => {
    const path = join(dir, "same.csv");
    const writer = new CsvWriter(path, table.columns);
    for (const row of table.rows) await writer.write(row);
    await writer.close();
    expect(readFileSync(path, "utf8")).toBe(tableToCsv(table));
  });

  it("abort leaves the old file in place and no temp file", async () => {
    const path = join(dir, "kept.csv");
    writeFileSync(path, "old\r\n");
    const writer = new CsvWriter(path, table.columns);
    await writer.write({ product: "new" });
    await writer.abort();
    expect(readFileSync(path, "utf8")).toBe("old\r\n");
    expect(readdirSync(dir)).toEqual(["kept.csv"]);
  });

  it("reports a file it cannot create when written to or closed", async () => {
    const writer = new CsvWriter(join(dir, "missing", "x.csv"), table.columns);
    await expect(
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await writer.write({ product: "x" });
      })(),
    ).rejects.toThrow(/ENOENT/);
    await writer.abort();
    const unwritten = new CsvWriter(join(dir, "missing", "y.csv"), table.columns);
    await expect(unwritten.close()).rejects.toThrow(/ENOENT/);
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });
});

describe("writeTables", () => {
  it("writes dir/<id>.csv for each table, creating dir and replacing old files", async () => {
    const out = join(dir, "tables");
    const second: ReportTable = {
      id: "status",
      title: "Status",
      columns: [{ key: "s", label: "S" }],
      rows: [],
    };
    const first = await writeTables(out, [table, second]);
    expect(first).toEqual([join(out, "software-by-port.csv"), join(out, "status.csv")]);
    await writeTables(out, [{ ...table, rows: [{ product: "only" }] }]);
    expect(readFileSync(join(out, "software-by-port.csv"), "utf8")).toBe("product,port,share\r\nonly,,\r\n");
    expect(readdirSync(out).sort()).toEqual(["software-by-port.csv", "status.csv"]);
  });

  it("refuses an id that is not a plain file name, or a repeated id, before writing anything", async () => {
    const out = join(dir, "tables");
    await expect(writeTables(out, [{ ...table, id: "../escape" }])).rejects.toThrow(/not a safe file name/);
    await expect(writeTables(out, [table, table])).rejects.toThrow(/two tables/);
    expect(existsSync(out)).toBe(false);
  });
});
