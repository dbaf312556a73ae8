/**
 * Run state for `--resume`: an SQLite file beside the output that says which (ip, port) pairs
 * have a record in the output and how many bytes of the output are committed. Records are
 * appended and fsync'd first, then the keys and the new length are committed in one
 * transaction; on resume the output is cut back to the committed length. A kill -9 at any moment
 * thus loses no committed record and leaves no duplicate: a record written but not committed is
 * cut off and its target scanned again.
 */
import Database from "better-sqlite3";

export class RunState {
  private readonly db: Database.Database;
  private readonly isDoneStmt: Database.Statement<[string, number], { found: number }>;
  private readonly markStmt: Database.Statement<[string, number, string]>;
  private readonly setMetaStmt: Database.Statement<[string, string]>;
  private readonly commitBatch: (
    keys: ReadonlyArray<{ ip: string; port: number; status: string }>,
    length: number,
  ) => void;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS done (
        ip TEXT NOT NULL, port INTEGER NOT NULL, status TEXT NOT NULL,
        PRIMARY KEY (ip, port)
      ) WITHOUT ROWID;
    `);
    this.isDoneStmt = this.db.prepare("SELECT 1 AS found FROM done WHERE ip = ? AND port = ?");
    this.markStmt = this.db.prepare("INSERT OR IGNORE INTO done (ip, port, status) VALUES (?, ?, ?)");
    this.setMetaStmt = this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    this.commitBatch = this.db.transaction((keys, length) => {
      for (const k of keys) this.markStmt.run(k.ip, k.port, k.status);
      this.setMetaStmt.run("committed_bytes", String(length));
    });
  }

  isDone(ip: string, port: number): boolean {
    return this.isDoneStmt.get(ip, port) !== undefined;
  }

  committedBytes(): number {
    return Number(this.meta("committed_bytes") ?? "0");
  }

  commit(keys: ReadonlyArray<{ ip: string; port: number; status: string }>, length: number): void {
    this.commitBatch(keys, length);
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.setMetaStmt.run(key, value);
  }

  /** every (ip, port) with a record, streamed (resume fills its key filter from it) */
  *doneKeys(): Generator<{ ip: string; port: number }> {
    yield* this.db.prepare("SELECT ip, port FROM done").iterate() as Iterable<{ ip: string; port: number }>;
  }

  countDone(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM done").get() as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
