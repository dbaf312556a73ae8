/**
 * What the distributed tests share: a private PostgreSQL cluster (lab/postgres.ts) with the
 * run tables made, a pool on it, and pg-boss instances that look for expired leases every
 * second; all stopped by close().
 */
import pg from "pg";
import type PgBoss from "pg-boss";
import { startPostgres, type TestPostgres } from "../../lab/postgres.js";
import { openQueue } from "../../src/distributed/queue.js";
import { migrate } from "../../src/distributed/runs.js";

export interface DistributedFixture {
  server: TestPostgres;
  pool: pg.Pool;
  /** a pg-boss of its own, as each worker process has */
  boss(): Promise<PgBoss>;
  close(): Promise<void>;
}

export async function startDistributed(): Promise<DistributedFixture> {
  const server = await startPostgres();
  const pool = new pg.Pool({ connectionString: server.url, max: 10 });
  // an idle client is told "terminating connection" when the cluster stops at the end
  pool.on("error", () => {});
  await migrate(pool);
  const bosses: PgBoss[] = [];
  return {
    server,
    pool,
    boss: async () => {
      const boss = await openQueue(server.url, { maintenanceSeconds: 1 });
      bosses.push(boss);
      return boss;
    },
    close: async () => {
      for (const boss of bosses)
        await boss.stop({ graceful: false, wait: true, close: true }).catch(() => {});
      await pool.end();
      await server.stop();
    },
  };
}
