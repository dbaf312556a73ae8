/**
 * Why a domain (or one of its MX hosts) gave no mail address, and the JSON Lines side file those
 * reasons are written to. The reasons are a closed set: docs and tests use this list.
 */
import { createWriteStream } from "node:fs";
import { InputError } from "../core/errors.js";
import type { MxFailureReason } from "../core/targets-meta.js";

/**
 * One failure. `mx` is set when the failure concerns one MX host of the domain (the domain's
 * other MX hosts may still have given targets); absent when the whole domain failed.
 */
export interface MxFailure {
  domain: string;
  mx?: string;
  reason: MxFailureReason;
  detail?: string;
}

export interface FailureFile {
  write(failure: MxFailure): void;
  /** flushes and closes the file; rejects if any write failed */
  close(): Promise<void>;
}

/**
 * Opens `path` (truncating it) for failures, one JSON object a line with the same keys on every
 * line: `{"domain","mx","reason","detail"}`, `mx` and `detail` null when absent. Pass
 * `file.write` as the resolver's `onFailure`. Throws InputError when the file cannot be created.
 */
export async function openFailureFile(path: string): Promise<FailureFile> {
  const stream = createWriteStream(path, { encoding: "utf8" });
  let failed: Error | null = null;
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (error: NodeJS.ErrnoException) =>
      reject(new InputError(`cannot write failures file ${path}: ${error.code ?? error.message}`)),
    );
  });
  stream.on("error", (error) => {
    failed ??= error;
  });
  return {
    write(failure) {
      const line = {
        domain: failure.domain,
        mx: failure.mx ?? null,
        reason: failure.reason,
        detail: failure.detail ?? null,
      };
      stream.write(`${JSON.stringify(line)}\n`);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        const settle = () => (failed ? reject(failed) : resolve());
        if (stream.destroyed) return settle();
        stream.once("close", settle);
        stream.end();
      }),
  };
}
