/**
 * The tables a distributed survey keeps in PostgreSQL, beside pg-boss's own schema (which holds
 * the chunk queue). docs/distributed.md describes them for `psql` users.
 *
 * - runs:     one row per run: its manifest (what was planned, with which rules and version);
 * - runs.space: the address space's part of the plan as plain data (src/targets/space-descriptor.ts):
 *             chunks 0 … space_chunks-1 are index ranges [k·C, (k+1)·C) of its order, which every
 *             worker rebuilds, so a CIDR, a country or all of IPv4 stores no target at all;
 * - targets:  the explicit targets (host names, zgrab2 rows, domains → MX; everything with
 *             --mmdb), in plan order, stored once; the chunks after the space's are ranges of
 *             their indexes (every port of an address is grabbed with it, so per-IP caps hold
 *             in one worker);
 * - records:  every record, keyed (run_id, ip, port): a chunk redone after a lost lease inserts
 *             nothing twice (ON CONFLICT DO NOTHING);
 * - chunks:   the ledger: one row per chunk done, written in the same transaction as the
 *             chunk's last records and its completion in the queue;
 * - workers:  a heartbeat per live worker, from which the run's --rate is shared out.
 */
export const SCHEMA = "smtpsurvey";

export const DDL = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
CREATE TABLE IF NOT EXISTS ${SCHEMA}.runs (
  run_id      text PRIMARY KEY,
  manifest    jsonb NOT NULL,
  chunks      integer NOT NULL,
  targets     bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE ${SCHEMA}.runs ADD COLUMN IF NOT EXISTS space jsonb;
ALTER TABLE ${SCHEMA}.runs ADD COLUMN IF NOT EXISTS space_indexes bigint NOT NULL DEFAULT 0;
ALTER TABLE ${SCHEMA}.runs ADD COLUMN IF NOT EXISTS space_chunks integer NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS ${SCHEMA}.targets (
  run_id      text NOT NULL REFERENCES ${SCHEMA}.runs (run_id),
  idx         bigint NOT NULL,
  chunk       integer NOT NULL,
  target      jsonb NOT NULL,
  PRIMARY KEY (run_id, idx)
);
CREATE INDEX IF NOT EXISTS targets_chunk ON ${SCHEMA}.targets (run_id, chunk);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.records (
  run_id      text NOT NULL REFERENCES ${SCHEMA}.runs (run_id),
  ip          inet NOT NULL,
  port        integer NOT NULL,
  chunk       integer NOT NULL,
  status      text NOT NULL,
  record      json NOT NULL, -- json, not jsonb: the record's own text and field order, as on one machine
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, ip, port)
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.chunks (
  run_id      text NOT NULL REFERENCES ${SCHEMA}.runs (run_id),
  chunk       integer NOT NULL,
  worker      text NOT NULL,
  records     integer NOT NULL,
  done_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, chunk)
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.workers (
  worker_id     text PRIMARY KEY,
  run_id        text NOT NULL,
  host          text NOT NULL,
  pid           integer NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  records       bigint NOT NULL DEFAULT 0,
  per_second    double precision NOT NULL DEFAULT 0
);
`;
