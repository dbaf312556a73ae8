/**
 * `npm run bench:identify`: how well smtpsurvey names the software, beside nmap -sV.
 *
 *   1. Offline, on every labelled record (the corpus under rules/examples, the lab golden records), each
 *      predicted by a model learned without it (grouped 5-fold): top-1 accuracy, version
 *      accuracy, expected calibration error, a confusion matrix, accuracy by evidence level
 *      (banner only, + EHLO, + HELP, + probes), with the banner hidden, and leave-one-product-out.
 *   2. Live, on the running lab's SMTP endpoints: `identify` through the engine (adaptive probes)
 *      with rules/model.json, probes and seconds per host; then `nmap -sV -n -Pn -p PORT` on the
 *      same endpoints, timed, for a side-by-side table.
 *
 * Prints markdown and writes bench/results/identify.md. Traffic stays on 127.77.0.0/16.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labPaths } from "../lab/paths.js";
import { readManifest } from "../lab/state.js";
import { repoRoot } from "../src/core/paths.js";
import { Scope } from "../src/core/scope.js";
import { PLANNER_DEFAULTS, probePlanner } from "../src/fingerprint/adaptive.js";
import { EVIDENCE_LEVELS } from "../src/fingerprint/evidence.js";
import { identifyRecord } from "../src/fingerprint/identify.js";
import { loadModel, resolveProduct } from "../src/fingerprint/model.js";
import { loadRules } from "../src/fingerprint/rules.js";
import { trainingExample } from "../src/fingerprint/train.js";
import { protocolNamed } from "../src/protocols/registry.js";
import { loadProbes } from "../src/protocols/smtp/probe-catalogue.js";
import { ENGINE_DEFAULTS, runScan } from "../src/scan/engine.js";
import type { ScanRecord } from "../src/store/schema.js";
import { evaluate, LEVEL_NAMES, type Summary, summary, versionCovers } from "./identify-eval.js";
import { labelledExamples } from "./labelled.js";

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const out: string[] = [];
const say = (line = "") => out.push(line);

function row(label: string, s: Summary): string {
  return `| ${label} | ${s.n} | ${pct(s.accuracy)} | ${pct(s.underneath)} | ${pct(s.wrongNames)} | ${s.versionN ? `${pct(s.versionAccuracy)} (${s.versionN})` : "—"} | ${s.ece.toFixed(3)} | ${s.eceStrict.toFixed(3)} |`;
}

function offline(): void {
  const files = loadRules();
  const examples = labelledExamples();
  const training = examples.map(trainingExample);
  const started = performance.now();
  const evaluation = evaluate(files, examples, training);
  const seconds = (performance.now() - started) / 1000;
  const sources = new Set(examples.map((e) => e.source));
  const count = (origin: string) => examples.filter((e) => e.origin === origin).length;
  say("## Offline, held out: leave-one-source-out and leave-one-product-out");
  say();
  say(
    `${examples.length} labelled examples from ${sources.size} sources: ${count("corpus")} corpus greetings ` +
      `(rules/examples/<protocol>/), ${count("lab")} lab golden records, ${count("learned")} recorded from the lab with every probe, ` +
      `${count("synthetic")} whole records written from documented behaviour; ${files.length} rule files, ` +
      `${new Set(files.map((f) => f.product)).size} products. Evaluated in ${seconds.toFixed(0)} s.`,
  );
  say();
  say(
    "Columns: *top-1 product* is the exact product; *software underneath* is an answer naming the product " +
      "the truth is built on (its rule file's `built_on`: Postfix for Zimbra's MTA, IIS SMTP for Exchange 2003), " +
      "right about the software and less specific; a *wrong name* is any other product. *ECE* is the " +
      "calibration of the named software being the one that answers (exact or underneath); " +
      "*ECE, exact product* counts the software underneath as wrong.",
  );
  say();
  say(
    "Leave-one-source-out (each example predicted by a model trained without its whole source), greeting only:",
  );
  say();
  say(
    "| protocol | examples | top-1 product | software underneath | wrong name | version or range | ECE | ECE, exact product |",
  );
  say("|---|---:|---:|---:|---:|---:|---:|---:|");
  const loso = evaluation.loso;
  for (const protocol of ["smtp", "ssh", "imap", "pop3", "http"]) {
    const p = loso.filter((x) => x.protocol === protocol && x.level === "banner");
    if (p.length) say(row(protocol.toUpperCase(), summary(p)));
  }
  say(row("all", summary(loso.filter((x) => x.level === "banner"))));
  say();
  say("Leave-one-source-out by evidence level (each level over the examples whose source reaches it):");
  say();
  say(
    "| evidence | examples | top-1 product | software underneath | wrong name | version or range | ECE | ECE, exact product |",
  );
  say("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const level of EVIDENCE_LEVELS) {
    const p = loso.filter((x) => x.level === level);
    if (p.length) say(row(LEVEL_NAMES[level], summary(p)));
  }
  // each example once, at the most its source shows
  const deepest = new Map<string, (typeof evaluation.hidden)[number]>();
  for (const p of evaluation.hidden) {
    const seen = deepest.get(p.name);
    if (!seen || EVIDENCE_LEVELS.indexOf(p.level) > EVIDENCE_LEVELS.indexOf(seen.level))
      deepest.set(p.name, p);
  }
  const hidden = summary([...deepest.values()]);
  say(row("SMTP with EHLO, greeting hidden", hidden));
  say();
  say("Leave-one-product-out (the product's rule files and examples removed; right = `unknown`):");
  say();
  say("| evidence | examples | products | `unknown` | wrong name | ECE |");
  say("|---|---:|---:|---:|---:|---:|");
  for (const level of EVIDENCE_LEVELS) {
    const p = evaluation.lopo.filter((x) => x.level === level);
    if (!p.length) continue;
    const s = summary(p);
    say(
      `| ${LEVEL_NAMES[level]} | ${s.n} | ${new Set(p.map((x) => x.truth)).size} | ${pct(s.accuracy)} | ${pct(s.wrongNames)} | ${s.ece.toFixed(3)} |`,
    );
  }
  // each record once, with all the evidence its source has: what a survey would report of it
  const deepestLopo = new Map<string, (typeof evaluation.lopo)[number]>();
  for (const p of evaluation.lopo) deepestLopo.set(p.name, p);
  const all = [...deepestLopo.values()];
  const s = summary(all);
  say(
    `| each record once, all its evidence | ${s.n} | ${new Set(all.map((x) => x.truth)).size} | ${pct(s.accuracy)} | ${pct(s.wrongNames)} | ${s.ece.toFixed(3)} |`,
  );
  say();
  say(
    `Temperatures (fitted on the held-out scores): ${JSON.stringify(evaluation.temperatures, (_, v) => (typeof v === "number" ? Number(v.toFixed(2)) : v))}`,
  );
  say();
  const listPairs = (title: string, chosen: typeof loso) => {
    const pairs = new Map<string, number>();
    for (const p of chosen)
      pairs.set(`${p.truth} → ${p.answer}`, (pairs.get(`${p.truth} → ${p.answer}`) ?? 0) + 1);
    if (!chosen.length) return;
    say(title);
    say();
    say(
      [...pairs]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 40)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; "),
    );
    say();
  };
  listPairs(
    "Wrong names, greeting only, leave-one-source-out (truth → answer: count):",
    loso.filter((p) => p.wrongName && p.level === "banner"),
  );
  listPairs(
    "The software underneath named instead (the truth's `built_on`), greeting only:",
    loso.filter((p) => p.underneath && p.level === "banner"),
  );
  const lopoWrong = evaluation.lopo.filter((p) => p.wrongName && p.level === "banner");
  if (lopoWrong.length) {
    const named = new Map<string, number>();
    for (const p of lopoWrong)
      named.set(`${p.truth} → ${p.answer}`, (named.get(`${p.truth} → ${p.answer}`) ?? 0) + 1);
    say("Held-out products given another name, greeting only:");
    say();
    say(
      [...named]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 30)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; "),
    );
    say();
  }
}

async function identifyLive(ip: string, port: number, protocol: string): Promise<ScanRecord> {
  const model = loadModel();
  const records: ScanRecord[] = [];
  async function* job() {
    yield { ip, port, protocol };
  }
  await runScan(
    job(),
    protocolNamed,
    {
      ...ENGINE_DEFAULTS,
      scope: Scope.parse("127.77.0.0/16"),
      concurrency: 1,
      perIpConcurrency: 1,
      perIpRate: 0,
      protocol: {
        ehloName: "bench.smtpsurvey.test",
        starttls: "auto",
        replyTimeoutMs: 10_000,
        probes: [],
        probePlanner: probePlanner(model, { ...PLANNER_DEFAULTS, probes: [...loadProbes().keys()] }),
      },
    },
    (r) => {
      records.push(r);
    },
  );
  const record = records[0];
  if (!record) throw new Error("no record");
  record.software = identifyRecord(model, record);
  return record;
}

function nmap(ip: string, port: number): { answer: string; seconds: number } {
  const started = performance.now();
  let text = "";
  try {
    text = execFileSync("nmap", ["-sV", "-n", "-Pn", "-p", String(port), ip], {
      encoding: "utf8",
      timeout: 300_000,
    });
  } catch (error) {
    text = String((error as { stdout?: string }).stdout ?? "");
  }
  const line = text.split("\n").find((l) => l.startsWith(`${port}/tcp`)) ?? "";
  const answer = line.split(/\s+/).slice(3).join(" ").trim();
  return { answer: answer || "(none)", seconds: (performance.now() - started) / 1000 };
}

async function live(): Promise<void> {
  const manifest = readManifest(labPaths());
  const endpoints = (manifest?.servers ?? []).flatMap((s) =>
    s.endpoints.filter((e) => e.protocol === "smtp" || e.protocol === "smtps").map((e) => ({ s, ...e })),
  );
  say("## Live: the running lab's SMTP endpoints, smtpsurvey identify beside nmap -sV");
  say();
  if (endpoints.length === 0) {
    say("The lab is not running (`smtpsurvey lab start`): no live figures.");
    return;
  }
  const model = loadModel();
  say(
    "| endpoint | truth | smtpsurvey | version or range | conf. | banner hidden | probes | s | nmap -sV | s |",
  );
  say("|---|---|---|---|---:|---|---:|---:|---|---:|");
  const tally = {
    ours: 0,
    oursHidden: 0,
    nmap: 0,
    oursSeconds: 0,
    nmapSeconds: 0,
    probes: 0,
    versions: 0,
    calib: [] as Array<{ confidence: number; correct: boolean }>,
  };
  for (const e of endpoints) {
    const truth = resolveProduct(model.products, e.protocol, e.s.product);
    const started = performance.now();
    const record = await identifyLive(e.s.ip, e.port, e.protocol);
    const seconds = (performance.now() - started) / 1000;
    const hidden = identifyRecord(model, record, { hideBanner: true });
    const n = nmap(e.s.ip, e.port);
    const ours = record.software?.product ?? "(none)";
    const nmapRight = n.answer.toLowerCase().includes(e.s.product.toLowerCase().split(/[\s-]/)[0] ?? "");
    tally.ours += ours === truth ? 1 : 0;
    tally.oursHidden += hidden?.product === truth ? 1 : 0;
    tally.nmap += nmapRight ? 1 : 0;
    tally.oursSeconds += seconds;
    tally.nmapSeconds += n.seconds;
    tally.probes += record.smtp?.probes.length ?? 0;
    tally.calib.push({ confidence: record.software?.confidence ?? 0, correct: ours === truth });
    const v = record.software?.version ?? record.software?.version_range ?? "";
    const versionRight =
      ours === truth &&
      versionCovers(
        { version: record.software?.version ?? null, range: record.software?.version_range ?? null },
        e.s.version,
      ) === true;
    tally.versions += versionRight ? 1 : 0;
    say(
      `| ${e.s.name}:${e.port} | ${e.s.product} ${e.s.version} | ${ours === truth ? "✓" : "✗"} ${ours} | ${versionRight ? "✓" : "✗"} ${v} | ${pct(record.software?.confidence ?? 0)} | ${hidden?.product === truth ? "✓" : "✗"} ${hidden?.product} | ${record.smtp?.probes.length ?? 0} | ${seconds.toFixed(2)} | ${nmapRight ? "✓" : "✗"} ${n.answer.replaceAll("|", "/")} | ${n.seconds.toFixed(1)} |`,
    );
  }
  const k = endpoints.length;
  say();
  say("| tool | top-1 product | version or range | banner hidden | probes per host | seconds per host |");
  say("|---|---:|---:|---:|---:|---:|");
  say(
    `| smtpsurvey identify | ${tally.ours}/${k} (${pct(tally.ours / k)}) | ${tally.versions}/${k} | ${tally.oursHidden}/${k} | ${(tally.probes / k).toFixed(1)} | ${(tally.oursSeconds / k).toFixed(2)} |`,
  );
  say(
    `| nmap -sV -n -Pn | ${tally.nmap}/${k} (${pct(tally.nmap / k)}) | — | — | — | ${(tally.nmapSeconds / k).toFixed(2)} |`,
  );
  say();
}

const started = new Date();
say(`# Identification benchmark (${started.toISOString()})`);
say();
offline();
// the offline figures are printed before the live lab is asked, so they are never lost to it
process.stdout.write(`${out.join("\n")}\n`);
const printed = out.length;
if (!process.argv.includes("--offline")) await live();
process.stdout.write(`${out.slice(printed).join("\n")}\n`);
const text = `${out.join("\n")}\n`;
const dir = join(repoRoot(), "bench", "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "identify.md"), text);
