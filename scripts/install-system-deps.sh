#!/usr/bin/env bash
# Installs the system tools the integration tests and the local stack run for real:
# redis-server and redis-cli (Debian; redis-cli creates the test suite's Redis Cluster), kcat
# (brings librdkafka's mock Kafka cluster), promtool and the prometheus server (the integration
# tests and the local stack run real Prometheus servers: managed clusters and a central one).
#
# Idempotent and cheap when everything is there: nothing touches apt unless a command is missing.
# Otherwise exactly ONE `apt-get update` and ONE `apt-get install` (each apt call re-runs slow
# triggers). promtool and prometheus are taken out of Debian's prometheus .deb with ONE
# `apt-get download` instead of installing the package, which would pull ~300 MB of web UI
# dependencies (the HTTP API, all the tests use, is complete without them).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo env DEBIAN_FRONTEND=noninteractive "$@"
  else
    echo "install-system-deps: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

packages=()
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
# Debian's redis-server depends on redis-tools, but a redis-server from elsewhere may come without it
command -v redis-cli >/dev/null 2>&1 || packages+=(redis-tools)
command -v kcat >/dev/null 2>&1 || packages+=(kcat)
prometheus_tools=()
command -v promtool >/dev/null 2>&1 || prometheus_tools+=(promtool)
command -v prometheus >/dev/null 2>&1 || prometheus_tools+=(prometheus)

if [ "${#packages[@]}" -eq 0 ] && [ "${#prometheus_tools[@]}" -eq 0 ]; then
  echo "install-system-deps: redis-server, redis-cli, kcat, promtool and prometheus are already installed"
  exit 0
fi

wanted=("${packages[@]}" "${prometheus_tools[@]}")
echo "install-system-deps: installing ${wanted[*]}"
as_root apt-get update

if [ "${#packages[@]}" -gt 0 ]; then
  as_root apt-get install -y --no-install-recommends "${packages[@]}"
fi

if [ "${#prometheus_tools[@]}" -gt 0 ]; then
  workdir="$(mktemp -d)"
  trap 'rm -rf "$workdir"' EXIT
  # apt's download sandbox user (_apt) must be able to write here, or apt warns and runs unsandboxed
  chmod a+rwx "$workdir"
  (cd "$workdir" && apt-get download prometheus)
  deb="$(find "$workdir" -maxdepth 1 -name 'prometheus_*.deb' -print -quit)"
  if [ -z "$deb" ]; then
    echo "install-system-deps: apt-get download prometheus produced no .deb" >&2
    exit 1
  fi
  members=()
  for tool in "${prometheus_tools[@]}"; do members+=("./usr/bin/$tool"); done
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$workdir" "${members[@]}"
  for tool in "${prometheus_tools[@]}"; do
    as_root install -m 0755 "$workdir/usr/bin/$tool" "/usr/local/bin/$tool"
  done
fi

missing=()
for tool in redis-server redis-cli kcat promtool prometheus; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-system-deps: still missing after install: ${missing[*]}" >&2
  exit 1
fi
# versions are informational only; an unexpected format must not fail the install
redis_version="$(redis-server --version 2>&1 | grep -o 'v=[0-9.]*' | cut -c3- || true)"
kcat_version="$(kcat -V 2>&1 | grep -o '^Version [0-9.]*' | cut -d' ' -f2 || true)"
promtool_version="$(promtool --version 2>&1 | grep -o 'version [^ ]*' | head -n1 | cut -d' ' -f2 || true)"
prometheus_version="$(prometheus --version 2>&1 | grep -o 'version [^ ]*' | head -n1 | cut -d' ' -f2 || true)"
echo "install-system-deps: done (redis-server ${redis_version}, kcat ${kcat_version}, promtool ${promtool_version}, prometheus ${prometheus_version})"
