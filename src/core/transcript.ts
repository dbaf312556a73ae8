/** One line of a record's transcript: who said what, when, on which connection (docs/records.md). */
import { z } from "zod";

export const TranscriptEntrySchema = z.object({
  /** milliseconds since the record's started_at */
  t: z.number(),
  /** connection number within the record: 0 is the main session, 1.. are probe sessions */
  conn: z.number().int(),
  /** C client sent, S server sent, I what happened (connect, TLS, close) */
  dir: z.enum(["C", "S", "I"]),
  data: z.string(),
});
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;
