/**
 * Keys known to ship inside software (a library's test certificate, an example SSH host key): a
 * server presenting one did not make its own key, and every copy of the software has the private
 * half. The list is data (data/known-keys.yaml, checked by scripts/known-keys.mjs, which
 * recomputes each hash from the file the entry names); clusters mark such keys in `known`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { InputError } from "../core/errors.js";
import { repoRoot } from "../core/paths.js";

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits");

const KnownKeySchema = z.strictObject({
  /** SHA-256 of the key's DER SubjectPublicKeyInfo, as records and clusters have it */
  spki_sha256: HEX64,
  /** SHA-256 of the certificate's DER, when the key came in one */
  cert_sha256: HEX64.optional(),
  kind: z.string().min(1),
  /** what it is, in a few words: this is what a cluster's `known` says */
  description: z.string().min(1),
  /** the software and version that ships it, and the file's path inside it */
  source: z.string().min(1),
  /** where scripts/known-keys.mjs finds the file to recompute the hashes (relative to the checkout, or absolute) */
  file: z.string().min(1),
});
export type KnownKey = z.infer<typeof KnownKeySchema>;

const KnownKeysFileSchema = z.strictObject({ keys: z.array(KnownKeySchema) });

/** What ClusterBuilder looks keys up in: a description by SPKI hash and by certificate hash. */
export interface KnownKeyIndex {
  bySpki: ReadonlyMap<string, string>;
  byCert: ReadonlyMap<string, string>;
}

export function knownKeysFile(): string {
  return join(repoRoot(), "data", "known-keys.yaml");
}

/** Reads and checks the list; any mistake is an InputError naming file:line. */
export function loadKnownKeys(path = knownKeysFile()): KnownKey[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  const syntax = doc.errors[0];
  if (syntax) throw new InputError(`${path}:${lineOf(syntax.pos[0])}: ${syntax.message.split("\n")[0]}`);
  const parsed = KnownKeysFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path ?? [];
    // the line of the deepest node that exists on the issue's path
    let line = 1;
    for (let n = at.length; n >= 0; n--) {
      const node = doc.getIn(at.slice(0, n) as unknown[], true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node && typeof node === "object" && node.range) {
        line = lineOf(node.range[0]);
        break;
      }
    }
    throw new InputError(`${path}:${line}: ${at.join(".")}: ${issue?.message ?? "invalid"}`);
  }
  const keys = parsed.data.keys;
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key.spki_sha256)) {
      const node = doc.getIn(["keys", i], true) as { range?: [number, number, number] } | undefined;
      throw new InputError(
        `${path}:${lineOf(node?.range?.[0])}: spki_sha256 ${key.spki_sha256} is listed twice`,
      );
    }
    seen.add(key.spki_sha256);
  });
  return keys;
}

export function knownKeyIndex(keys: readonly KnownKey[]): KnownKeyIndex {
  const bySpki = new Map<string, string>();
  const byCert = new Map<string, string>();
  for (const key of keys) {
    const what = `${key.description} (${key.source})`;
    bySpki.set(key.spki_sha256, what);
    if (key.cert_sha256) byCert.set(key.cert_sha256, what);
  }
  return { bySpki, byCert };
}
