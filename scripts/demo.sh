#!/usr/bin/env bash
# The demo: install, start the lab of real mail servers on 127.77.0.0/16, grab every lab
# endpoint, print a summary table, stop the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bin/smtpsurvey.js lab start
trap 'node bin/smtpsurvey.js lab stop' EXIT
mkdir -p runs/demo
node bin/smtpsurvey.js lab targets > runs/demo/targets.txt
node bin/smtpsurvey.js grab -i runs/demo/targets.txt -p 25,465,587 --scope 127.77.0.0/16 \
  --ehlo scanner.lab.smtpsurvey.test --probes all -o runs/demo/records.jsonl
node bin/smtpsurvey.js summary runs/demo/records.jsonl
echo "records: runs/demo/records.jsonl" >&2
