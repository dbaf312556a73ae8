/**
 * Reading another tool's JSON: each format's fields are a zod schema of only what we read
 * (unknown fields are dropped, absent ones are null), and a field of the wrong shape becomes one
 * error naming its path, which the import loop prefixes with the file and line.
 */
import type { z } from "zod";

/** A field of a foreign record that cannot be read: `field` is its dotted path in the input. */
export class ForeignFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
    /** the input line, when it is not the line being read (masscan's grouped endpoints) */
    readonly line?: number,
  ) {
    super(message);
    this.name = "ForeignFieldError";
  }
}

/** `value` read with `schema`; `at` is the path of `value` itself within the input line. */
export function readAs<T extends z.ZodType>(schema: T, value: unknown, at: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [at, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".");
  throw new ForeignFieldError(field || "(line)", issue?.message ?? "unreadable");
}

/** Base64 text → bytes, or a field error (Buffer.from would silently skip bad characters). */
export function base64Field(text: string, field: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1)
    throw new ForeignFieldError(field, "not base64");
  return Buffer.from(compact, "base64");
}

/** One line of JSON that must be an object (a record, an envelope), or a field error for the line. */
export function parseJsonObject(text: string, what = "a JSON object"): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ForeignFieldError("(line)", `not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ForeignFieldError("(line)", `not ${what}`);
  return value as Record<string, unknown>;
}
