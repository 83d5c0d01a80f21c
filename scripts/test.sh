#!/usr/bin/env bash
# The README's test command: everything on a fresh machine, idempotent.
#   system tools if missing → Node runtimes if missing → npm dependencies if missing/outdated →
#   `npm test` on the shipped runtime (the Dockerfile's Node 24) → type check + unit tests on the
#   lowest Node that package.json's engines admits (22.15).
# (`npm test` = type check + lint + build + mocha; mocha's global fixture starts one real
# redis-server and one Kafka mock cluster for the whole run and stops them at the end.)
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"

# the floor first: it takes seconds and fails fast on an API the floor lacks
(
  use_node floor
  echo "==> npm run typecheck && npm run test:unit (engines floor)"
  npm run typecheck
  npm run test:unit
)

use_node shipped
echo "==> npm test (shipped runtime)"
npm test
