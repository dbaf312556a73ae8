#!/usr/bin/env bash
# The demo: install, start the lab of real mail, SSH and web servers on 127.77.0.0/16, grab
# every lab endpoint on every mail-related port, print a summary table, stop the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bin/smtpsurvey.js lab start
trap 'node bin/smtpsurvey.js lab stop' EXIT
mkdir -p runs/demo
node bin/smtpsurvey.js lab targets > runs/demo/targets.txt
# --resolver: PTR names come from the lab's own DNS, so nothing is asked off this machine.
node bin/smtpsurvey.js grab -i runs/demo/targets.txt -p 22,25,80,110,143,443,465,587,993,995 \
  --scope 127.77.0.0/16 --resolver 127.77.0.53 --ehlo scanner.lab.smtpsurvey.test --probes all \
  -o runs/demo/records.jsonl
node bin/smtpsurvey.js summary runs/demo/records.jsonl
echo "records: runs/demo/records.jsonl" >&2
