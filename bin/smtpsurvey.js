#!/usr/bin/env node
// The CLI is compiled TypeScript; `npm run build` (part of the README's install step) produces dist/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";

// A grab keeps this thread's young generation at its starting size from the very start, before
// modules are loaded, or it has grown before the grab decides (src/survey/heap-tuning.ts says
// why, and gives the usual growth back when the engine runs on this thread or the grab ends).
if (process.argv[2] === "grab" || process.argv[2] === "survey")
  setFlagsFromString("--semi-space-growth-factor=1");

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("smtpsurvey: not built yet; run `npm ci && npm run build` in the checkout first\n");
  process.exit(2);
}
await import(entry.href);
