/**
 * `npm run bench:identify`: how well smtpsurvey names the software, beside nmap -sV.
 *
 *   1. Offline, on every labelled record (lab golden records, test/fixtures/identify), each
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
import { PLANNER_DEFAULTS, probePlanner } from "../src/fingerprint/adaptive.js";
import { withoutBanner } from "../src/fingerprint/features.js";
import { identifyRecord } from "../src/fingerprint/identify.js";
import { loadModel, resolveProduct } from "../src/fingerprint/model.js";
import { loadRules } from "../src/fingerprint/rules.js";
import { trainingExample } from "../src/fingerprint/train.js";
import { protocolNamed } from "../src/protocols/registry.js";
import { loadProbes } from "../src/protocols/smtp/probes.js";
import { ENGINE_DEFAULTS, runScan } from "../src/scan/engine.js";
import { Scope } from "../src/scan/scope.js";
import type { ScanRecord } from "../src/store/schema.js";
import { repoRoot } from "../src/util/paths.js";
import {
  crossValidated,
  filterFeatures,
  LEVELS,
  leaveOneProductOut,
  type Prediction,
  summary,
} from "./identify-eval.js";
import { labelledExamples } from "./labelled.js";

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const out: string[] = [];
const say = (line = "") => out.push(line);

function confusion(predictions: Prediction[]): string[] {
  const truths = [...new Set(predictions.map((p) => p.truth))].sort();
  const predicted = [...new Set(predictions.map((p) => p.software.product))].sort();
  const rows = [
    `| truth \\ answer | ${predicted.join(" | ")} |`,
    `|---|${predicted.map(() => "---:").join("|")}|`,
  ];
  for (const t of truths) {
    const cells = predicted.map(
      (p) => predictions.filter((x) => x.truth === t && x.software.product === p).length || "",
    );
    rows.push(`| ${t} | ${cells.join(" | ")} |`);
  }
  return rows;
}

function offline(): void {
  const files = loadRules();
  const examples = labelledExamples();
  const training = examples.map(trainingExample);
  say("## Offline: labelled records, each predicted without its own server's records");
  say();
  say(
    `${examples.length} records: ${examples.filter((e) => e.source === "lab").length} lab golden, ` +
      `${examples.filter((e) => e.source === "learned").length} recorded with \`learn\` (lab, every probe), ` +
      `${examples.filter((e) => e.source === "synthetic").length} synthetic (documented behaviour); ${files.length} rule files.`,
  );
  say();
  say("| evidence | records | top-1 product | version or range | ECE |");
  say("|---|---:|---:|---:|---:|");
  let all: Prediction[] = [];
  for (const level of LEVELS) {
    const p = crossValidated(files, examples, training, 5, (f) => filterFeatures(f, level.keep));
    const s = summary(p);
    say(
      `| ${level.name} | ${s.n} | ${pct(s.accuracy)} | ${pct(s.versionAccuracy)} (${s.versionN}) | ${s.ece.toFixed(3)} |`,
    );
    all = p;
  }
  const stripped = summary(crossValidated(files, examples, training, 5, withoutBanner));
  say(
    `| all, banner hidden | ${stripped.n} | ${pct(stripped.accuracy)} | ${pct(stripped.versionAccuracy)} (${stripped.versionN}) | ${stripped.ece.toFixed(3)} |`,
  );
  const lopo = summary(leaveOneProductOut(files, examples, training));
  const lopoStripped = summary(leaveOneProductOut(files, examples, training, withoutBanner));
  say(
    `| leave-one-product-out | ${lopo.n} | ${pct(lopo.accuracy)} | ${pct(lopo.versionAccuracy)} (${lopo.versionN}) | ${lopo.ece.toFixed(3)} |`,
  );
  say(
    `| leave-one-product-out, banner hidden | ${lopoStripped.n} | ${pct(lopoStripped.accuracy)} | ${pct(lopoStripped.versionAccuracy)} (${lopoStripped.versionN}) | ${lopoStripped.ece.toFixed(3)} |`,
  );
  say();
  say("Confusion matrix (all evidence, grouped 5-fold):");
  say();
  for (const row of confusion(all)) say(row);
  const wrong = all.filter((p) => !p.correct);
  if (wrong.length) {
    say();
    say(
      "Wrong answers: " +
        wrong
          .map((p) => `${p.name} (${p.truth} → ${p.software.product} ${pct(p.software.confidence)})`)
          .join("; "),
    );
  }
  say();
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
  say("| endpoint | truth | smtpsurvey | conf. | banner hidden | probes | s | nmap -sV | s |");
  say("|---|---|---|---:|---|---:|---:|---|---:|");
  const tally = {
    ours: 0,
    oursHidden: 0,
    nmap: 0,
    oursSeconds: 0,
    nmapSeconds: 0,
    probes: 0,
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
    say(
      `| ${e.s.name}:${e.port} | ${e.s.product} ${e.s.version} | ${ours === truth ? "✓" : "✗"} ${ours} ${v} | ${pct(record.software?.confidence ?? 0)} | ${hidden?.product === truth ? "✓" : "✗"} ${hidden?.product} | ${record.smtp?.probes.length ?? 0} | ${seconds.toFixed(2)} | ${nmapRight ? "✓" : "✗"} ${n.answer.replaceAll("|", "/")} | ${n.seconds.toFixed(1)} |`,
    );
  }
  const k = endpoints.length;
  say();
  say("| tool | top-1 product | banner hidden | probes per host | seconds per host |");
  say("|---|---:|---:|---:|---:|");
  say(
    `| smtpsurvey identify | ${tally.ours}/${k} (${pct(tally.ours / k)}) | ${tally.oursHidden}/${k} | ${(tally.probes / k).toFixed(1)} | ${(tally.oursSeconds / k).toFixed(2)} |`,
  );
  say(
    `| nmap -sV -n -Pn | ${tally.nmap}/${k} (${pct(tally.nmap / k)}) | — | — | ${(tally.nmapSeconds / k).toFixed(2)} |`,
  );
  say();
}

const started = new Date();
say(`# Identification benchmark (${started.toISOString()})`);
say();
offline();
await live();
const text = `${out.join("\n")}\n`;
process.stdout.write(text);
const dir = join(repoRoot(), "bench", "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "identify.md"), text);
