/**
 * A targets file's path that can be read more than once: sources are read twice (checked
 * first, streamed later), which a pipe cannot do, so `-i -`, `/dev/stdin` or `<(zmap …)` is
 * spooled to a temporary file first (removed when the process exits).
 */
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { access, constants, mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { InputError } from "../core/errors.js";

export async function readableFile(given: string): Promise<string> {
  if (given !== "-" && (await isReadableRegularFile(given))) return given;
  return spool(given);
}

/** True for a regular file, false for anything else readable (a pipe); InputError if unreadable. */
async function isReadableRegularFile(path: string): Promise<boolean> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    await access(path, constants.R_OK);
    info = await stat(path);
  } catch {
    throw new InputError(`cannot read targets file ${path}`);
  }
  return info.isFile();
}

async function spool(given: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "smtpsurvey-input-"));
  const copy = join(dir, "targets");
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  try {
    // stdin may be a socket, which /dev/stdin cannot reopen: read the stream this process has
    await pipeline(given === "-" ? process.stdin : createReadStream(given), createWriteStream(copy));
  } catch (error) {
    throw new InputError(`cannot read targets file ${given}: ${(error as Error).message}`);
  }
  return copy;
}
