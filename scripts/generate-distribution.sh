#!/usr/bin/env bash
# Generates the distribution's main package from builder-config.yaml with ocb
# (a tool of the root go.mod) into the folder given as $1 (default cmd/otelcol-okta).
# The root go.mod pins every module, so ocb runs with --skip-get-modules and writes
# only main.go, main_others.go, main_windows.go and components.go.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-cmd/otelcol-okta}"
cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT
mkdir -p "$out"
sed "s#output_path: .*#output_path: ${out}#" builder-config.yaml > "$cfg"
if ! log=$(go tool builder --config "$cfg" --skip-get-modules --skip-compilation 2>&1); then
  echo "$log" >&2
  exit 1
fi
gofmt -w "$out"
