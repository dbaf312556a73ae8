/**
 * report.html in a real browser: Debian's Chromium driven by playwright-core opens the file from
 * disk and checks that it runs cleanly offline (no console or page errors, no request but the
 * file itself), that every chart and graph is drawn, and that tables sort and expand. Saves
 * a screenshot. Needs Debian's Chromium (scripts/setup.sh installs it); without
 * it the test fails rather than skips.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportTable } from "../../src/core/table.js";
import { renderReport } from "../../src/report/html.js";
import { CHROMIUM, CHROMIUM_ARGS } from "../support/chromium.js";
import { HOSTILE_PRODUCT, productRows, sampleReportModel } from "./sample-report-model.js";

/** a scratch file: the screenshot kept in docs/ is the lab survey's own (test/lab/survey-lab.test.ts) */
const SCREENSHOT = join(tmpdir(), `smtpsurvey-report-screenshot-${process.pid}.png`);
const VISIBLE_ROWS = 25;
const BIG_ROWS = 1_000;

/** A table longer than VISIBLE_ROWS, so the page has rows it only builds on demand. */
const endpointsTable: ReportTable = {
  id: "endpoints",
  title: "Endpoints",
  columns: [
    { key: "ip", label: "Address" },
    { key: "port", label: "Port", numeric: true, format: "plain" },
    { key: "latency", label: "Latency (ms)", numeric: true, format: "count" },
  ],
  rows: Array.from({ length: BIG_ROWS }, (_, i) => ({
    // one hostile value far past the first rows: it only reaches the page through the JSON block
    ip: i === 700 ? HOSTILE_PRODUCT : `192.0.2.${i % 256}`,
    port: [25, 465, 587][i % 3] ?? 25,
    latency: (i * 7919) % 4001,
  })),
};

describe("report.html in Chromium", () => {
  it("finds Debian's Chromium", () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/setup.sh`).toBe(true);
  });

  let dir: string;
  let context: BrowserContext;
  let page: Page;
  let fileUrl: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smtpsurvey-report-"));
    const model = await sampleReportModel();
    model.sections.push({ id: "endpoints", title: "Endpoints", tables: [endpointsTable] });
    const html = await renderReport(model, { visibleRows: VISIBLE_ROWS });
    const file = join(dir, "report.html");
    await writeFile(file, html);
    fileUrl = pathToFileURL(file).href;

    // A fresh profile in the temp dir; Playwright takes it as launchPersistentContext's argument.
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      // Belt and braces: were the page to ask for anything, it would go to a closed loopback port.
      proxy: { server: "http://127.0.0.1:9" },
      viewport: { width: 1200, height: 800 },
      colorScheme: "light",
    });
    context.on("request", (request) => requests.push(request.url()));
    page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(fileUrl, { waitUntil: "load" });
  });

  afterAll(async () => {
    await context?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The text of one column of a table's body, as shown. */
  async function column(tableId: string, index: number): Promise<string[]> {
    return page.locator(`#${tableId} tbody tr td:nth-child(${index + 1})`).allTextContents();
  }

  it("draws every chart and graph with a non-empty box", async () => {
    const drawings = page.locator("figure .drawing > svg");
    expect(await drawings.count()).toBe(3); // two charts and the cluster graph
    for (const svg of await drawings.all()) {
      const box = await svg.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(50);
      expect(box?.height ?? 0).toBeGreaterThan(50);
    }
    expect(await page.locator("#chart-products-bar svg [aria-roledescription='bar']").count()).toBe(
      productRows.length,
    );
    expect(
      await page.locator("#chart-starttls-by-country svg [aria-roledescription='errorbar']").count(),
    ).toBe(3);
  });

  it("shows model text as text", async () => {
    await expect.poll(() => page.locator("#table-products td", { hasText: HOSTILE_PRODUCT }).count()).toBe(1);
    await expect.poll(() => page.locator("main p", { hasText: HOSTILE_PRODUCT }).count()).toBe(1);
    // The only scripts: the page's own at the end of <body>, and JSON data blocks for long tables.
    expect(await page.locator("script:not([type='application/json'])").count()).toBe(1);
  });

  it("sorts a numeric column by value when its header is clicked, then reverses", async () => {
    const header = page.locator("#table-products th", { hasText: "Servers" });
    await header.getByRole("button").click();
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    // Numerically, not as text ("12,040" would come before "3" as text).
    expect(await column("table-products", 1)).toEqual(["3", "88", "980", "1,520", "12,040"]);
    await header.getByRole("button").click();
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    expect(await column("table-products", 1)).toEqual(["12,040", "1,520", "980", "88", "3"]);
  });

  it("sorts from the keyboard and keeps aria-sort on one header only", async () => {
    const productButton = page.locator("#table-products th", { hasText: "Product" }).getByRole("button");
    await productButton.first().focus();
    await page.keyboard.press("Enter");
    expect(await page.locator("#table-products th[aria-sort]").count()).toBe(1);
    const products = await column("table-products", 0);
    expect(products).toEqual(
      [...products].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" })),
    );
  });

  it("shows the first rows of a long table, sorts all of them, and shows all on request", async () => {
    const rows = page.locator("#table-endpoints tbody tr");
    expect(await rows.count()).toBe(VISIBLE_ROWS);
    const more = page.locator("#table-endpoints button.show-more");
    const fewer = page.locator("#table-endpoints button.show-fewer");
    await expect.poll(() => more.textContent()).toBe("Show all 1,000 rows");
    expect(await fewer.isVisible()).toBe(false);

    const latency = page.locator("#table-endpoints th", { hasText: "Latency" }).getByRole("button");
    await latency.click();
    await latency.click();
    const top = (await column("table-endpoints", 2)).map((text) => Number(text.replaceAll(",", "")));
    const expected = endpointsTable.rows
      .map((row) => row.latency as number)
      .sort((a, b) => b - a)
      .slice(0, VISIBLE_ROWS);
    expect(top).toEqual(expected); // the largest of all 1,000 rows, not of the first 25

    await more.click();
    expect(await rows.count()).toBe(BIG_ROWS);
    expect(await more.isVisible()).toBe(false);
    // A row that was only in the JSON data block, built as text.
    expect(await page.locator("#table-endpoints td", { hasText: HOSTILE_PRODUCT }).count()).toBe(1);
    await fewer.click();
    expect(await rows.count()).toBe(VISIBLE_ROWS);
    expect(await page.locator("#table-endpoints .table-status").textContent()).toBe(
      "Showing the first 25 of 1,000 rows, sorted by Latency (ms) (descending).",
    );
  });

  it("sorts text in natural order", async () => {
    await page.locator("#table-endpoints th", { hasText: "Address" }).getByRole("button").click();
    const addresses = await column("table-endpoints", 0);
    expect(addresses.slice(0, 6)).toEqual([
      "192.0.2.0",
      "192.0.2.0",
      "192.0.2.0",
      "192.0.2.0",
      "192.0.2.1",
      "192.0.2.1",
    ]);
    await page.locator("#table-endpoints button.show-more").click();
    const all = await column("table-endpoints", 0);
    expect(all.indexOf("192.0.2.9")).toBeLessThan(all.indexOf("192.0.2.10"));
    expect(all.at(-2)).toBe("192.0.2.255");
    expect(all.at(-1)).toBe(HOSTILE_PRODUCT); // text that is not an address sorts after digits
    await page.locator("#table-endpoints button.show-fewer").click();
  });

  it("saves a full-page screenshot", async () => {
    await page.locator("#table-products th", { hasText: "Servers" }).getByRole("button").click();
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const { size } = await stat(SCREENSHOT);
    console.log(`report screenshot: ${(size / 1024).toFixed(0)} KiB`);
    expect(size).toBeGreaterThan(10_000);
  });

  it("ran without errors and asked for nothing but the file", () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([fileUrl]);
  });
});
