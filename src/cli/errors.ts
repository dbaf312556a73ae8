/** Bad input ends with one line on stderr and exit 2; nothing is written before the checks. */
import { InputError } from "../core/errors.js";

export function usageError(message: string): never {
  throw new InputError(message);
}

export function reportAndExit(error: unknown): never {
  if (error instanceof InputError) {
    process.stderr.write(`smtpsurvey: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `smtpsurvey: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}

export function positiveInteger(name: string, text: string, { allowZero = false } = {}): number {
  if (!/^\d+$/.test(text)) usageError(`${name} takes a whole number, not ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n === 0 && !allowZero) usageError(`${name} must be at least 1`);
  return n;
}

export function seconds(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    usageError(`${name} takes a positive number of seconds, not ${JSON.stringify(text)}`);
  return Math.round(n * 1000);
}
