/**
 * `npm run train`: learns rules/model.json from every labelled record (lab golden records and
 * test/fixtures/identify) with the rules as they are now. Run it after changing rules or fixtures.
 */
import { writeFileSync } from "node:fs";
import { modelPath } from "../src/fingerprint/model.js";
import { loadRules } from "../src/fingerprint/rules.js";
import { train, trainingExample } from "../src/fingerprint/train.js";
import { labelledExamples } from "./labelled.js";

const files = loadRules();
const examples = labelledExamples().map(trainingExample);
const data = train(files, examples);
writeFileSync(modelPath(), `${JSON.stringify(data, null, 1)}\n`);
process.stdout.write(
  `rules/model.json: ${files.length} rule files, ${examples.length} examples, temperature ${data.temperature.toFixed(3)}, ` +
    `held-out accuracy ${((data.calibration?.held_out_accuracy ?? 0) * 100).toFixed(1)}%, ECE ${(data.calibration?.held_out_ece ?? 0).toFixed(3)}\n`,
);
