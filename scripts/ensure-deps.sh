#!/usr/bin/env bash
# Shared first step of the README's two commands: system tools (redis-server, kcat, promtool) if
# missing, the shipped Node runtime (scripts/ensure-node.sh), then npm dependencies if missing or
# older than package-lock.json, installed by that runtime's npm run. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/use-node.sh
source scripts/use-node.sh

bash scripts/install-system-deps.sh
use_node shipped

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi
