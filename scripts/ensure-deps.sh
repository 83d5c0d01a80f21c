#!/usr/bin/env bash
# Shared first step of the README's two commands: system tools (redis-server, kcat, promtool) if
# missing, then npm dependencies if missing or older than package-lock.json. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-deps.sh

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi
