#!/usr/bin/env bash
# The README's test command: everything on a fresh machine, idempotent.
#   system tools if missing → npm dependencies if missing/outdated → `npm test`
# (`npm test` = type check + lint + build + mocha; mocha's global fixture starts one real
# redis-server and one Kafka mock cluster for the whole run and stops them at the end.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-deps.sh

echo "==> npm test"
npm test
