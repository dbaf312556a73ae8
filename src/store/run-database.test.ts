import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clustersOf } from "../analysis/clusters.js";
import type { Cluster } from "../core/cluster-types.js";
import { repoRoot } from "../core/paths.js";
import type { ReportTable } from "../core/table.js";
import type { Target } from "../core/target.js";
import { buildRunDatabase, type RunDatabaseInputs } from "./run-database.js";
import { type ScanRecord, ScanRecordSchema } from "./schema.js";

const fixtureDirs = ["lab", join("lab", "ssh")].map((d) => join(repoRoot(), "test", "fixtures", d));

function loadFixtures(): Map<string, ScanRecord> {
  const out = new Map<string, ScanRecord>();
  for (const dir of fixtureDirs) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()) {
      out.set(file, ScanRecordSchema.parse(JSON.parse(readFileSync(join(dir, file), "utf8"))));
    }
  }
  return out;
}

const fixtures = loadFixtures();
const fixture = (file: string): ScanRecord => {
  const record = fixtures.get(file);
  if (!record) throw new Error(`no fixture ${file}`);
  return record;
};

/** the lab records, one of them identified (the fixtures predate `software`) */
const records: ScanRecord[] = [...fixtures.values()].map((r) =>
  r === fixture("postfix-25.json")
    ? {
        ...r,
        software: {
          product: "postfix",
          vendor: "Wietse Venema",
          kind: "mta",
          version: null,
          version_range: ">=3.6",
          os: null,
          hint: null,
          confidence: 0.93,
          alternatives: [
            { product: "postfix", probability: 0.93 },
            { product: "exim", probability: 0.05 },
          ],
          evidence: [],
        },
      }
    : r,
);

const targets: Target[] = [
  {
    ip: "127.77.1.1",
    domain: "example.org",
    mx: "mx.example.org",
    mx_preference: 10,
    country: "DE",
    asn: 64500,
  },
  { ip: "127.77.1.1", domain: "example.net", mx: "mail.example.net", mx_preference: 5, category: "edu" },
  { ip: "127.77.4.1", port: 993, name: "imap.example.org" },
];

const table: ReportTable = {
  id: "Software by port",
  title: "Software by port",
  note: "ports with at least one record",
  columns: [
    { key: "product", label: "Product" },
    { key: "port", label: "Port", numeric: true },
    { key: "Share (%)", label: "Share", numeric: true, format: "percent" },
    { key: "share %", label: "Share again" },
    { key: "2nd", label: "Second" },
  ],
  rows: [
    { product: "postfix", port: 25, "Share (%)": 0.5, "share %": 1, "2nd": "x" },
    { product: "exim", port: 587, "Share (%)": null, "share %": 2 },
  ],
};

let clusters: Cluster[];
let dir: string;
beforeAll(async () => {
  clusters = await clustersOf(records);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "smtpsurvey-db-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function* stream<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function inputs(overrides: Partial<RunDatabaseInputs> = {}): RunDatabaseInputs {
  return {
    records: stream(records),
    clusters,
    targets: stream(targets),
    tables: [table],
    meta: { command: "smtpsurvey test" },
    ...overrides,
  };
}

function query<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const count = (path: string, table: string): number =>
  query<{ n: number }>(path, `SELECT count(*) AS n FROM ${table}`)[0]?.n ?? -1;

describe("buildRunDatabase", () => {
  it("writes every record, certificate, host key, cluster, target and table", async () => {
    const path = join(dir, "run.sqlite");
    const summary = await buildRunDatabase(path, inputs());
    const chainLength = records.reduce((n, r) => n + (r.tls?.chain.length ?? 0), 0);
    const hostKeys = records.reduce((n, r) => n + (r.ssh?.host_keys.length ?? 0), 0);
    const expected: Record<string, number> = {
      records: records.length,
      certificates: chainLength,
      ssh_host_keys: hostKeys,
      software_alternatives: 2,
      clusters: clusters.length,
      cluster_members: clusters.reduce((n, c) => n + c.members.length, 0),
      cluster_keys: clusters.reduce((n, c) => n + c.keys.length, 0),
      targets: 3,
      tables: 1,
      table_columns: 5,
      tally_software_by_port: 2,
    };
    for (const [name, n] of Object.entries(expected)) {
      expect(count(path, name), name).toBe(n);
      expect(summary.rows[name], name).toBe(n);
    }
    // the lab fixtures have chains and SSH keys and clusters: the checks above are not vacuous
    expect(records.length).toBe(fixtures.size);
    expect(records.length).toBeGreaterThanOrEqual(28);
    expect(chainLength).toBeGreaterThan(10);
    expect(hostKeys).toBeGreaterThan(5);
    expect(clusters.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(dir)).toEqual(["run.sqlite"]);
  });

  it("flattens a record into its columns and keeps the whole record as JSON", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    const rows = query<Record<string, unknown>>(
      path,
      "SELECT * FROM records WHERE ip = ? AND port = ?",
      "127.77.1.1",
      25,
    );
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    const source = records.find((r) => r.ip === "127.77.1.1" && r.port === 25) as ScanRecord;
    expect(row).toMatchObject({
      protocol: "smtp",
      status: "ok",
      banner: source.smtp?.banner,
      ehlo_name: "postfix.lab.smtpsurvey.test",
      starttls_offered: 1,
      tls_version: source.tls?.version,
      leaf_spki_sha256: source.tls?.chain[0]?.spki_sha256,
      leaf_self_signed: source.tls?.chain[0]?.self_signed ? 1 : 0,
      product: "postfix",
      version_range: ">=3.6",
      os: null,
      hint: null,
      confidence: 0.93,
    });
    expect(JSON.parse(row.json as string)).toEqual(source);

    const ssh = query<Record<string, unknown>>(path, "SELECT * FROM records WHERE port = 22 ORDER BY ip");
    expect(ssh.map((r) => r.ssh_banner)).toEqual(
      records
        .filter((r) => r.port === 22)
        .sort((a, b) => a.ip.localeCompare(b.ip))
        .map((r) => r.ssh?.banner ?? null),
    );
    expect(ssh.every((r) => r.starttls_offered === null && r.banner === null)).toBe(true);

    const imap = query<{ starttls_offered: number; banner: string }>(
      path,
      "SELECT starttls_offered, banner FROM records WHERE port = 143 AND ip = ?",
      fixture("dovecot-143.json").ip,
    );
    expect(imap).toEqual([{ starttls_offered: 1, banner: fixture("dovecot-143.json").imap?.greeting }]);
    const pop3 = query(
      path,
      "SELECT starttls_offered, banner FROM records WHERE port = 110 AND ip = ?",
      fixture("dovecot-110.json").ip,
    );
    expect(pop3).toEqual([{ starttls_offered: 1, banner: fixture("dovecot-110.json").pop3?.greeting }]);
    // implicit TLS: no list to offer STARTTLS in
    const implicit = query(path, "SELECT starttls_offered FROM records WHERE port = 993");
    expect(implicit.length).toBeGreaterThan(0);
    expect(implicit.every((r) => (r as { starttls_offered: unknown }).starttls_offered === null)).toBe(true);
  });

  it("links child rows to their record by record_id", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    const mismatched = query(
      path,
      `SELECT c.ip FROM certificates c JOIN records r ON r.id = c.record_id WHERE r.ip <> c.ip OR r.port <> c.port
       UNION ALL
       SELECT k.ip FROM ssh_host_keys k JOIN records r ON r.id = k.record_id WHERE r.ip <> k.ip OR r.port <> k.port`,
    );
    expect(mismatched).toEqual([]);
    const alternatives = query(
      path,
      "SELECT ip, port, product, probability FROM software_alternatives ORDER BY probability DESC",
    );
    expect(alternatives).toEqual([
      { ip: "127.77.1.1", port: 25, product: "postfix", probability: 0.93 },
      { ip: "127.77.1.1", port: 25, product: "exim", probability: 0.05 },
    ]);
  });

  it("answers 'which endpoints share a key' with a join, agreeing with the clusters", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    // every key an endpoint presents: TLS leaf and SSH host keys
    const pairs = query<{ a: string; b: string }>(
      path,
      `WITH keys AS (
         SELECT ip, port, spki_sha256 FROM certificates WHERE position = 0
         UNION SELECT ip, port, spki_sha256 FROM ssh_host_keys WHERE spki_sha256 IS NOT NULL
       )
       SELECT DISTINCT x.ip || ':' || x.port AS a, y.ip || ':' || y.port AS b
       FROM keys x JOIN keys y ON x.spki_sha256 = y.spki_sha256
       WHERE (x.ip, x.port) < (y.ip, y.port)`,
    );
    expect(pairs.length).toBeGreaterThan(0);
    // each such pair sits in one cluster
    const clusterOf = new Map<string, string>();
    for (const c of clusters) for (const m of c.members) clusterOf.set(`${m.ip}:${m.port}`, c.id);
    for (const { a, b } of pairs) expect(clusterOf.get(a), `${a} ${b}`).toBe(clusterOf.get(b));

    const sharedViaTables = query<{ id: string; members: number }>(
      path,
      `SELECT c.id, count(*) AS members FROM clusters c JOIN cluster_members m ON m.cluster_id = c.id
       GROUP BY c.id ORDER BY c.id`,
    );
    expect(sharedViaTables).toEqual(
      clusters.map((c) => ({ id: c.id, members: c.size })).sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
    const protocols = query<{ protocols: string }>(path, "SELECT protocols FROM cluster_keys");
    expect(protocols.every((p) => /^[a-z0-9]+(,[a-z0-9]+)*$/.test(p.protocols))).toBe(true);
  });

  it("joins records to the targets' domain and MX", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    const rows = query(
      path,
      `SELECT t.domain, t.mx, t.mx_preference, r.port FROM targets t JOIN records r ON r.ip = t.ip
       WHERE r.port = 25 ORDER BY t.mx_preference`,
    );
    expect(rows).toEqual([
      { domain: "example.net", mx: "mail.example.net", mx_preference: 5, port: 25 },
      { domain: "example.org", mx: "mx.example.org", mx_preference: 10, port: 25 },
    ]);
    expect(query(path, "SELECT ip, port, name, country, asn FROM targets WHERE port IS NOT NULL")).toEqual([
      { ip: "127.77.4.1", port: 993, name: "imap.example.org", country: null, asn: null },
    ]);
  });

  it("stores a report table under sanitised, unique, unquoted-safe names with a catalogue", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    expect(query(path, "SELECT * FROM tables")).toEqual([
      {
        id: "Software by port",
        table_name: "tally_software_by_port",
        title: "Software by port",
        note: "ports with at least one record",
      },
    ]);
    expect(query(path, "SELECT column_name, key FROM table_columns ORDER BY position")).toEqual([
      { column_name: "product", key: "product" },
      { column_name: "port", key: "port" },
      { column_name: "share", key: "Share (%)" },
      { column_name: "share_2", key: "share %" },
      { column_name: "_2nd", key: "2nd" },
    ]);
    expect(query(path, "SELECT * FROM tally_software_by_port ORDER BY port DESC")).toEqual([
      { product: "exim", port: 587, share: null, share_2: 2, _2nd: null },
      { product: "postfix", port: 25, share: 0.5, share_2: 1, _2nd: "x" },
    ]);
  });

  it("records the tool and schema versions and the caller's meta", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    const meta = Object.fromEntries(
      query<{ key: string; value: string }>(path, "SELECT key, value FROM meta").map((r) => [r.key, r.value]),
    );
    const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as {
      version: string;
    };
    expect(meta).toMatchObject({
      tool_version: manifest.version,
      schema_version: "1",
      database_version: "1",
      command: "smtpsurvey test",
    });
    expect(Number.isNaN(Date.parse(meta.created_at ?? ""))).toBe(false);
  });

  it("has the documented indexes and is a single file (no WAL)", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    const indexes = query<{ name: string }>(path, "SELECT name FROM sqlite_master WHERE type = 'index'").map(
      (r) => r.name,
    );
    expect(indexes).toEqual(expect.arrayContaining(["records_ip_port", "records_status", "records_product"]));
    expect(query(path, "PRAGMA journal_mode")).toEqual([{ journal_mode: "delete" }]);
    const plan = query<{ detail: string }>(
      path,
      "EXPLAIN QUERY PLAN SELECT * FROM records WHERE product = 'x'",
    );
    expect(plan.map((p) => p.detail).join(" ")).toContain("records_product");
  });

  it("gives the same database with tiny batches (many commits)", async () => {
    const big = join(dir, "big.sqlite");
    const small = join(dir, "small.sqlite");
    await buildRunDatabase(big, inputs());
    await buildRunDatabase(small, inputs({ records: stream(records), targets: stream(targets) }), {
      batchRows: 3,
    });
    for (const t of ["records", "certificates", "ssh_host_keys", "cluster_members", "targets"]) {
      expect(query(small, `SELECT * FROM ${t}`)).toEqual(query(big, `SELECT * FROM ${t}`));
    }
  });

  it("runs every example query in docs/sqlite.md", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    const doc = readFileSync(join(repoRoot(), "docs", "sqlite.md"), "utf8");
    const examples = [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(examples.length).toBeGreaterThanOrEqual(5);
    const answered = examples.map((sql) => query(path, sql).length);
    // software by port, keys shared and clusters have answers in the lab's records
    expect(answered.slice(0, 3).every((n) => n > 0)).toBe(true);
  });

  it("accepts no clusters, targets or tables", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, { records: records.slice(0, 2) });
    expect(count(path, "records")).toBe(2);
    expect(count(path, "clusters")).toBe(0);
    expect(count(path, "targets")).toBe(0);
    expect(count(path, "tables")).toBe(0);
  });
});

describe("replacing and crash safety", () => {
  it("a second build replaces the first completely", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, inputs());
    await buildRunDatabase(path, { records: stream(records.slice(0, 3)), meta: { run: "second" } });
    expect(count(path, "records")).toBe(3);
    expect(count(path, "clusters")).toBe(0);
    expect(count(path, "targets")).toBe(0);
    expect(query(path, "SELECT name FROM sqlite_master WHERE name LIKE 'tally_%'")).toEqual([]);
    expect(query(path, "SELECT value FROM meta WHERE key = 'run'")).toEqual([{ value: "second" }]);
    expect(readdirSync(dir)).toEqual(["run.sqlite"]);
  });

  it("builds beside the real file and leaves it alone until the new one is complete", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, { records: records.slice(0, 1) });
    const seen: Array<{ real: number; temp: boolean }> = [];
    async function* watched(): AsyncGenerator<ScanRecord> {
      for (const [i, record] of records.entries()) {
        if (i === 10) seen.push({ real: count(path, "records"), temp: existsSync(`${path}.tmp`) });
        yield record;
      }
    }
    await buildRunDatabase(path, { records: watched() });
    // mid-build the old database was still whole where readers look, the new one in path.tmp
    expect(seen).toEqual([{ real: 1, temp: true }]);
    expect(count(path, "records")).toBe(records.length);
  });

  it("an error mid-stream keeps the old database and removes the temp file", async () => {
    const path = join(dir, "run.sqlite");
    await buildRunDatabase(path, { records: records.slice(0, 5) });
    async function* failing(): AsyncGenerator<ScanRecord> {
      yield* records.slice(0, 10);
      throw new Error("disk on fire");
    }
    await expect(buildRunDatabase(path, { records: failing() }, { batchRows: 4 })).rejects.toThrow(
      "disk on fire",
    );
    expect(count(path, "records")).toBe(5);
    expect(readdirSync(dir)).toEqual(["run.sqlite"]);
  });

  it("an error with no older database leaves nothing at all", async () => {
    const path = join(dir, "run.sqlite");
    async function* failing(): AsyncGenerator<ScanRecord> {
      yield* records.slice(0, 2);
      throw new Error("interrupted");
    }
    await expect(buildRunDatabase(path, { records: failing() })).rejects.toThrow("interrupted");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("replaces a stale temp file and journal left by a killed run", async () => {
    const path = join(dir, "run.sqlite");
    writeFileSync(`${path}.tmp`, "half a database");
    writeFileSync(`${path}.tmp-journal`, "junk");
    writeFileSync(`${path}-journal`, "a hot journal from some older database");
    await buildRunDatabase(path, { records: records.slice(0, 4) });
    expect(count(path, "records")).toBe(4);
    expect(readdirSync(dir)).toEqual(["run.sqlite"]);
  });
});
