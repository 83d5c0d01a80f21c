#!/usr/bin/env bash
# The README's first command: everything on a fresh machine, idempotent.
#   1. system tools (redis-server, kcat for the Kafka mock, promtool) and the shipped Node runtime if missing
#   2. npm dependencies if missing or out of date with package-lock.json
#   3. build (compiled JavaScript: the service runs as `node dist/src/cli/main.js run`); the
#      simulators and the local stack (dev/) are never compiled or shipped: tsx runs them
#   4. start Redis, Kafka mock, simulators and the service; publish the spec's samples; print
#      results, scrape configs and dashboard URLs; run until Ctrl-C (or --exit-after-samples)
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"

# the shipped runtime (the Dockerfile's Node 24) runs the build, the stack and the service
use_node shipped

echo "==> npm run build"
npm run build --silent

exec node --import=tsx dev/local-stack.ts "$@"
