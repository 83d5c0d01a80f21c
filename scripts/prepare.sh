# Sourced (not run) first by the README's two commands: from the repository root, everything
# installed that is missing (ensure-deps.sh: system tools, the shipped Node runtime, npm
# dependencies), and `use_node` (use-node.sh) defined for the rest of the calling script.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
# shellcheck source=scripts/use-node.sh
source scripts/use-node.sh
