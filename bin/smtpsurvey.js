#!/usr/bin/env node
// The CLI is compiled TypeScript; `npm run build` (part of the README's install step) produces dist/.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("smtpsurvey: not built yet; run `npm ci && npm run build` in the checkout first\n");
  process.exit(2);
}
await import(entry.href);
