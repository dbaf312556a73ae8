/**
 * `npm run priors`: the world prior the model starts from (rules/priors.yaml), per protocol, as
 * the Markdown table docs/rules.md shows. A survey re-estimates it from its own records
 * (analysis.json `priors`).
 */
import { loadModel } from "../src/fingerprint/model.js";

const top = Number(process.argv[2] ?? 14);
const model = loadModel();
for (const protocol of ["smtp", "ssh", "imap", "pop3"]) {
  const pm = model.protocolModel(protocol);
  const rows = pm.classes
    .map((cls, i) => ({ cls, p: Math.exp(pm.logPrior[i] ?? Number.NEGATIVE_INFINITY) }))
    .sort((a, b) => b.p - a.p);
  const pct = (p: number) => `${(p * 100).toFixed(2)} %`;
  process.stdout.write(
    `\n${protocol.toUpperCase()} (${pm.classes.length - 1} products)\n\n| product | world prior |\n| --- | ---: |\n`,
  );
  for (const r of rows.slice(0, top)) process.stdout.write(`| ${r.cls} | ${pct(r.p)} |\n`);
  const rest = rows.slice(top);
  if (rest.length)
    process.stdout.write(
      `| each of the other ${rest.length} | ${pct(Math.min(...rest.map((r) => r.p)))} to ${pct(Math.max(...rest.map((r) => r.p)))} |\n`,
    );
}
