# Sourced (not run) by the README's commands: `use_node shipped|floor` puts that Node runtime
# (scripts/ensure-node.sh) first on PATH for the rest of the calling script, so `node`, npm's own
# shebang and every child the tests spawn (process.execPath) run on it. Where the npm package
# does not fit the platform, the Node already on PATH is used if it meets engines.node.
use_node() {
  local which="$1" bin status=0
  bin="$(bash scripts/ensure-node.sh "$which")" || status=$?
  if [ "$status" -eq 0 ]; then
    PATH="$bin:$PATH"
    export PATH
  elif [ "$status" -ne 3 ]; then
    echo "use-node: could not install the $which Node runtime" >&2
    return "$status"
  fi
  echo "==> Node $(node --version) ($which runtime: $(command -v node))"
  node -e '
    const [floor] = (require("./package.json").engines.node.match(/[0-9.]+/) ?? [""]);
    const parts = (v) => v.replace(/^v/, "").split(".").map(Number);
    const [a, b] = [parts(process.version), parts(floor)];
    const below = a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
    if (below) { console.error(`use-node: Node ${process.version} is below engines.node ${floor}`); process.exit(1); }'
}
