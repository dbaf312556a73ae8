/**
 * Comparing two runs of the same sessions (a one-machine survey and a distributed one, in the
 * namespace farm test and in bench:distributed): a record with what only timing decides set
 * aside, as one JSON line.
 */
export function timeless(line: string): string {
  const record = JSON.parse(line) as Record<string, unknown> & { transcript?: unknown[] };
  delete record.started_at;
  delete record.duration_ms;
  // a probe's connection runs beside the main one: how their lines interleave is timing too,
  // so each connection's lines are kept in order, one connection after another
  const transcript = (record.transcript ?? []) as Array<{ t?: number; conn?: number }>;
  for (const entry of transcript) delete entry.t;
  record.transcript = transcript
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => (a.entry.conn ?? 0) - (b.entry.conn ?? 0) || a.i - b.i)
    .map((e) => e.entry);
  return JSON.stringify(record);
}
