#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { extractFeatures } from "../dist/src/fingerprint/features.js";
import { emptyModelData, Model, modelPath } from "../dist/src/fingerprint/model.js";
// Developer tool: which rules fire on a greeting, and what today's model answers.
//   node scripts/rule-check.mjs smtp '220 mail.example.com ESMTP Sendmail 8.9.3/8.9.3; Tue, 3 Aug 1999'
//   node scripts/rule-check.mjs --validate        (loads every rule file; exits 1 on the first error)
// Reads the compiled loader in dist/ (npm run build) and the YAML under rules/ as they are now.
import { loadRules } from "../dist/src/fingerprint/rules.js";

const [first, ...rest] = process.argv.slice(2);
let files;
try {
  files = loadRules();
} catch (error) {
  console.error(String(error.message ?? error));
  process.exit(1);
}
if (first === "--validate" || first === undefined) {
  const products = new Set(files.map((f) => f.product));
  console.log(`${files.length} rule files, ${products.size} products: ok`);
  process.exit(0);
}
const protocol = first;
const text = rest.join(" ").replaceAll("\\n", "\n");
const record = { protocol, smtp: null, tls: null, ssh: null, imap: null, pop3: null, http: null };
if (protocol === "smtp" || protocol === "smtps")
  record.smtp = {
    banner: text,
    ehlo: null,
    helo: null,
    help: null,
    starttls: null,
    ehlo_tls: null,
    quit: null,
    replies: {},
    probes: [],
  };
else if (protocol === "ssh") record.ssh = { banner: text };
else if (protocol === "imap" || protocol === "imaps") record.imap = { greeting: text };
else if (protocol === "pop3" || protocol === "pop3s") record.pop3 = { greeting: text };
const features = extractFeatures(record);
for (const [name, value] of features) console.log(`feature ${name}: ${value}`);
// the trained counts as they are, even when rules changed since (the answer is then approximate)
let data = emptyModelData(files);
try {
  data = JSON.parse(readFileSync(modelPath(), "utf8"));
} catch {}
const model = new Model(files, data);
for (const product of model.candidates(protocol))
  for (const rule of product.rules) {
    const value = features.get(rule.feature);
    if (value !== undefined && rule.pattern.test(value) !== rule.absent)
      console.log(`fires ${rule.key} (${product.product})`);
  }
const software = model.identify(protocol, features);
console.log(
  `answer: ${software.product} ${software.version ?? software.version_range ?? ""} (${software.confidence})`,
);
