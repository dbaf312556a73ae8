/**
 * `npm run train`: learns rules/model.json from every labelled record (rules/examples, the lab's
 * golden records) with the rules as they are now. Run it after changing rules or examples; it
 * fails, writing nothing, when a rule has no trained entry.
 */
import { writeFileSync } from "node:fs";
import { modelPath } from "../src/fingerprint/model.js";
import { loadRules } from "../src/fingerprint/rules.js";
import { TrainingError, train, trainingExample } from "../src/fingerprint/train.js";
import { labelledExamples } from "./labelled.js";

const files = loadRules();
const examples = labelledExamples().map(trainingExample);
try {
  const data = train(files, examples);
  writeFileSync(modelPath(), `${JSON.stringify(data)}\n`);
  process.stdout.write(
    `rules/model.json: ${files.length} rule files, ${examples.length} examples, temperatures ${JSON.stringify(data.temperatures)}, ` +
      `held-out (5 folds of whole sources) accuracy ${((data.calibration?.held_out_accuracy ?? 0) * 100).toFixed(1)}%, ECE ${(data.calibration?.held_out_ece ?? 0).toFixed(3)}\n`,
  );
} catch (error) {
  if (!(error instanceof TrainingError)) throw error;
  process.stderr.write(`train: ${error.message}\n`);
  process.exitCode = 1;
}
