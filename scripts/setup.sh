#!/usr/bin/env bash
# Installs everything smtpsurvey and its lab need on Debian 12 with Node 20, as root:
# build tools for better-sqlite3, the npm packages, the build, the lab's servers, and PostgreSQL
# (the distributed engine's tests start private clusters of their own; none is used as installed).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "setup: run as root (apt-get installs the lab's mail servers; they bind port 25)" >&2
  exit 2
fi
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or later is needed" >&2
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup: apt packages" >&2
apt-get update -qq
apt-get install -y -qq --no-install-recommends build-essential python3 ca-certificates openssl openssh-client iproute2 util-linux time nmap chromium postgresql >/dev/null

echo "setup: npm packages and build" >&2
# `npm install`, not `npm ci`: the lock file written here lacks other platforms' optional
# packages (Biome's binaries), which `npm ci` refuses; install still follows the lock.
npm install --no-audit --no-fund --loglevel=error
npm run --silent build

echo "setup: the lab's servers" >&2
node bin/smtpsurvey.js lab install
