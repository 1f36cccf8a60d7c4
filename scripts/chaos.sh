#!/usr/bin/env bash
# Chaos run (issue 6 item 3): the built collector against the simulator with changing Okta
# faults (5xx, 429 storms, connection resets, truncated bodies, latency) and short backend
# outages, killed with SIGKILL at random moments and restarted on the same state. Prints the
# report: System Log events lost/duplicated (by uuid) and ground-truth objects without a
# snapshot after the final full sync. Exit status is non-zero unless all three are 0.
#
#   CHAOS_DURATION=300s ./scripts/chaos.sh     # default 120s; `make chaos` builds first
#   E2E_SEED=<n>                               # replay the random choices of a previous run
set -euo pipefail
cd "$(dirname "$0")/.."

for b in bin/otelcol-okta bin/oktasim; do
  [ -x "$b" ] || { echo "chaos: $b is missing: run 'make build' first" >&2; exit 1; }
done

log="${CHAOS_LOG:-$(mktemp -t otelcol-okta-chaos.XXXXXX.log)}"
echo "==> chaos run for ${CHAOS_DURATION:-120s}; full log: $log"
status=0
CHAOS=1 CHAOS_DURATION="${CHAOS_DURATION:-120s}" \
  OTELCOL_OKTA_BIN="$PWD/bin/otelcol-okta" OKTASIM_BIN="$PWD/bin/oktasim" \
  go test -count=1 -v -timeout 60m -run '^TestChaos$' ./test/e2e/ >"$log" 2>&1 || status=$?
grep -E '^(CHAOS REPORT|chaos timeline|simulator:|system_log:|inventory:|chaos:|    chaos_test.go|    systemlog_|--- (PASS|FAIL)|ok |FAIL)' "$log" || true
if [ "$status" -ne 0 ]; then
  echo "==> chaos run FAILED (status $status); see $log" >&2
fi
exit "$status"
