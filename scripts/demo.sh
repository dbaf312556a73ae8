#!/usr/bin/env bash
# The demo: install, start the lab of real mail, SSH and web servers on 127.77.0.0/16, survey
# every lab server on every mail-related port into runs/demo (records, identification, key-reuse
# clusters, tables, graphs, SQLite, report.html), print the summary, stop the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bin/smtpsurvey.js lab start
trap 'node bin/smtpsurvey.js lab stop' EXIT
mkdir -p runs
rm -rf runs/demo
node bin/smtpsurvey.js lab targets > runs/demo-targets.txt
# --resolver: PTR names come from the lab's own DNS, so nothing is asked off this machine.
# --control: a lab server known to answer, so a blocked port is told from silent targets.
node bin/smtpsurvey.js survey -i runs/demo-targets.txt -p 22,25,80,110,143,443,465,587,993,995 \
  --scope 127.77.0.0/16 --resolver 127.77.0.53 --ehlo scanner.lab.smtpsurvey.test --probes all \
  --control 127.77.1.1:25 -o runs/demo
echo "run directory: runs/demo (open runs/demo/report.html in a browser)" >&2
