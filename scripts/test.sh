#!/usr/bin/env bash
# Installs what the tests need, then runs the whole suite: lint, types, unit and hostile-server
# tests offline, and the lab tests against real mail servers (the suite starts and stops them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: lint and types" >&2
npx biome ci .
npx tsc -p tsconfig.json --noEmit
echo "test: vitest (offline and lab projects)" >&2
npx vitest run "$@"
