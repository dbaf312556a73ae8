/**
 * Loads the product rules (rules/<protocol>/*.yaml, format in docs/rules.md), validates them with
 * zod and compiles their patterns. Any mistake is an error naming the file and the line of the
 * offending YAML node, so whoever writes rules can fix them without reading this code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { repoRoot } from "../core/paths.js";
import { PROTOCOL_DESCRIPTIONS, protocolNames } from "../protocols/registry.js";

/** A product's kind: a mail server's, or the kind of a protocol's own servers (the registry's). */
export const KINDS = [
  "open-source-mta",
  "commercial-server",
  "hosted-service",
  "gateway",
  "library",
  ...new Set(PROTOCOL_DESCRIPTIONS.flatMap((d) => (d.productKind ? [d.productKind] : []))),
] as [string, ...string[]];

/** A rule file's `protocols`: any name of the registry (smtp, smtps, ssh, …). */
export const RULE_PROTOCOLS = protocolNames() as [string, ...string[]];

const RuleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "ids are letters, digits, '.', '_' and '-'"),
  feature: z.string().min(1),
  pattern: z.string(),
  /** regex flags; "i" when absent */
  flags: z
    .string()
    .regex(/^[imsu]*$/)
    .optional(),
  version: z.string().optional(),
  version_range: z.string().optional(),
  absent: z.boolean().optional(),
  /** the rule matches the product naming itself in its greeting (docs/rules.md, "Names") */
  names: z.boolean().optional(),
  /** the platform the rule reveals; `{group}` is replaced by that named group of the pattern */
  os: z.string().optional(),
  note: z.string().optional(),
});

const LadderSchema = z.strictObject({
  range: z.string(),
  when: z.array(z.string()).min(1),
  unless: z.array(z.string()).optional(),
});

const RuleFileSchema = z.strictObject({
  product: z.string().min(1),
  vendor: z.string().min(1),
  /** other names the product goes by (the lab's, a fixture's): truth is matched through them */
  aliases: z.array(z.string()).optional(),
  kind: z.enum(KINDS),
  /**
   * products that share their code (Postfix and its postscreen, Exchange and IIS SMTP, a hosted
   * service and the server it runs): the benchmark holds out a family whole
   */
  family: z.string().optional(),
  /**
   * the products whose code answers for this one (Zimbra's MTA is Postfix, Exchange 2003 speaks
   * through IIS's SMTP service, iCloud's front ends are Oracle's Messaging Server): naming one of
   * them for this product's greeting is right about the software, only less specific, and the
   * benchmark counts it apart from a wrong name
   */
  built_on: z.array(z.string()).optional(),
  protocols: z.array(z.enum(RULE_PROTOCOLS)).min(1),
  cpe: z.string().optional(),
  // `era: 1998-` is a string in YAML, `era: 1998` a number: both mean years
  era: z.union([z.string(), z.number()]).optional(),
  sources: z.array(z.string()).optional(),
  notes: z.union([z.string(), z.array(z.string())]).optional(),
  evidence: z.array(RuleSchema),
  version_ladder: z.array(LadderSchema).optional(),
});

export interface CompiledRule {
  /** "smtp/postfix.yaml#banner-product": unique over every file */
  key: string;
  id: string;
  product: string;
  feature: string;
  pattern: RegExp;
  /** extracts the version from the feature's value when the rule fires */
  version: RegExp | null;
  versionRange: string | null;
  absent: boolean;
  /** one of the product's self-naming rules: read together as one observation (model.ts) */
  names: boolean;
  /** the platform template ("Debian {deb}"), or null */
  os: string | null;
}

export interface ProductRules {
  /** the file, relative to rules/ ("smtp/postfix.yaml") */
  file: string;
  product: string;
  vendor: string;
  aliases: string[];
  kind: string;
  family: string;
  builtOn: string[];
  protocols: string[];
  rules: CompiledRule[];
  ladder: Array<{ range: string; when: string[]; unless: string[] }>;
}

export class RuleError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = "RuleError";
  }
}

export function rulesDir(): string {
  return join(repoRoot(), "rules");
}

/** Every rule file under `dir` (recursively), sorted, compiled. */
export function loadRules(dir = rulesDir()): ProductRules[] {
  // rules/<protocol>/*.yaml only: rules/priors.yaml and rules/examples/ are data of another kind
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.ya?ml$/.test(f) && /[\\/]/.test(f) && !/^examples[\\/]/.test(f))
    .sort();
  // one product may have several files (Dovecot: imap/, pop3/, smtp/): the model merges them by name
  return files.map((f) => loadRuleFile(join(dir, f), relative(dir, join(dir, f))));
}

export function loadRuleFile(path: string, name = path): ProductRules {
  const text = readFileSync(path, "utf8");
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  const syntax = doc.errors[0];
  if (syntax) throw new RuleError(name, lineOf(syntax.pos[0]), syntax.message.split("\n")[0] ?? "YAML error");
  /** the line of the node at `path`, or of its nearest existing parent */
  const lineAt = (path: ReadonlyArray<PropertyKey>): number => {
    for (let n = path.length; n >= 0; n -= 1) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node && typeof node === "object" && node.range) return lineOf(node.range[0]);
      if (n === 0 && (isMap(doc.contents) || isSeq(doc.contents))) return lineOf(doc.contents.range?.[0]);
    }
    return 1;
  };
  const parsed = RuleFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new RuleError(name, lineAt(issue?.path ?? []), `${where}${issue?.message ?? "invalid"}`);
  }
  const data = parsed.data;
  const ids = new Set<string>();
  const rules = data.evidence.map((rule, i): CompiledRule => {
    if (ids.has(rule.id))
      throw new RuleError(name, lineAt(["evidence", i, "id"]), `rule id ${rule.id} is used twice`);
    ids.add(rule.id);
    const compile = (source: string, field: string): RegExp => {
      try {
        return new RegExp(source, rule.flags ?? "i");
      } catch (error) {
        throw new RuleError(name, lineAt(["evidence", i, field]), (error as Error).message);
      }
    };
    return {
      key: `${name}#${rule.id}`,
      id: rule.id,
      product: data.product,
      feature: rule.feature,
      pattern: compile(rule.pattern, "pattern"),
      version: rule.version === undefined ? null : compile(rule.version, "version"),
      versionRange: rule.version_range ?? null,
      absent: rule.absent ?? false,
      names: rule.names ?? false,
      os: rule.os ?? null,
    };
  });
  const ladder = (data.version_ladder ?? []).map((step, i) => {
    for (const [field, list] of [
      ["when", step.when],
      ["unless", step.unless ?? []],
    ] as const) {
      list.forEach((id, j) => {
        if (!ids.has(id))
          throw new RuleError(
            name,
            lineAt(["version_ladder", i, field, j]),
            `version_ladder names no rule ${id}`,
          );
      });
    }
    return { range: step.range, when: step.when, unless: step.unless ?? [] };
  });
  return {
    file: name,
    product: data.product,
    vendor: data.vendor,
    aliases: data.aliases ?? [],
    kind: data.kind,
    family: data.family ?? data.product,
    builtOn: data.built_on ?? [],
    protocols: data.protocols,
    rules,
    ladder,
  };
}
