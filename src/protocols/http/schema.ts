/** The record's `http` part, shared by http and https (docs/records.md). */
import { z } from "zod";

/** HTTP(S): one HEAD / (inside TLS on 443). */
export const HttpSchema = z.object({
  status_line: z.string().nullable(),
  status: z.number().nullable(),
  /** the Server header */
  server: z.string().nullable(),
  headers: z.array(z.tuple([z.string(), z.string()])),
});
export type HttpRecord = z.infer<typeof HttpSchema>;
