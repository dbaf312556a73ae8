/**
 * Keeping a held chunk's lease alive while its worker is still on it. A chunk's lease (the
 * coordinator's --lease, set on each job when it is queued) is how long a silent worker may keep
 * it; a chunk that simply takes longer than that, with its worker alive, should stay where it is
 * (otherwise a second worker grabs it again: nothing is written twice, but every host is
 * contacted twice). pg-boss 10 has no call to extend a job (a job expires at started_on +
 * expire_in), so this moves that job's own expire_in forward, on pg-boss's table, for this job
 * only and only while it is still active: a job that has already expired and gone to another
 * worker is left alone. A worker killed with kill -9 stops renewing, and its chunk goes back at
 * most one lease after the last renewal.
 */
import type pg from "pg";

/** Renewals come this often: a third of the lease, at most every 5 s. */
export function renewEverySeconds(leaseSeconds: number): number {
  return Math.min(5, leaseSeconds / 3);
}

/** Renews the job's lease until the returned function is called. */
export function keepLease(pool: pg.Pool, queue: string, jobId: string, leaseSeconds: number): () => void {
  let stopped = false;
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = () => {
    renewing = renewing
      .then(() =>
        stopped
          ? undefined
          : pool.query(
              `UPDATE pgboss.job SET expire_in = (now() - started_on) + make_interval(secs => $3)
                WHERE name = $1 AND id = $2 AND state = 'active'`,
              [queue, jobId, leaseSeconds],
            ),
      )
      // a renewal that fails (the database briefly away) is tried again at the next period
      .catch(() => {});
  };
  const timer = setInterval(renew, renewEverySeconds(leaseSeconds) * 1000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
