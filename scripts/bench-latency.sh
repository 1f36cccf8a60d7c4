#!/usr/bin/env bash
# End-to-end System Log measurements on the built binaries (see test/e2e/systemlog_*_test.go):
#   latency     event published in the simulator -> record at the OTLP sink, p50/p99, through
#               the durable pipeline with poll_interval 2s, and with event hooks
#   throughput  backfill of 200,000 events with rate limits off: okta -> file exporter (alone,
#               and behind the production logs processors), and okta -> otlp_http with a
#               persistent queue -> sink; events/s and CPU µs/event, THROUGHPUT_COUNT runs each,
#               with the collector at the default GOGC and at GOGC=200
# Usage: ./scripts/bench-latency.sh [latency|throughput|all]   (default latency)
# Prints `Benchmark...` lines (benchstat-readable) plus the detailed log lines.
set -euo pipefail
cd "$(dirname "$0")/.."

# OTELCOL_OKTA_BIN / OKTASIM_BIN measure other builds; default: what `make build` made.
collector="${OTELCOL_OKTA_BIN:-$PWD/bin/otelcol-okta}"
sim="${OKTASIM_BIN:-$PWD/bin/oktasim}"
for b in "$collector" "$sim"; do
  [ -x "$b" ] || { echo "bench: $b is missing: run 'make build' first" >&2; exit 1; }
done

# Throughput depends on how fast this (shared, virtual) machine is at the moment: each
# throughput benchmark runs THROUGHPUT_COUNT times (default 3), interleaved by go test -count,
# and BENCHMARKS.md shows every run.
latency=false
throughput=false
case "${1:-latency}" in
  latency) latency=true ;;
  throughput) throughput=true ;;
  all) latency=true; throughput=true ;;
  *) echo "usage: $0 [latency|throughput|all]" >&2; exit 2 ;;
esac

log="$(mktemp -t otelcol-okta-bench.XXXXXX.log)"
status=0
if $latency; then
  E2E_BENCH=1 OTELCOL_OKTA_BIN="$collector" OKTASIM_BIN="$sim" \
    go test -count=1 -v -timeout 60m -run '^TestBenchSystemLogLatency' ./test/e2e/ >>"$log" 2>&1 || status=$?
fi
if $throughput; then
  # Once with the Go default (GOGC=100), once with GOGC=200 (docs/scaling.md, "Throughput"):
  # those lines end in GOGC200.
  for gogc in "" 200; do
    E2E_COLLECTOR_GOGC="$gogc" E2E_BENCH=1 OTELCOL_OKTA_BIN="$collector" OKTASIM_BIN="$sim" \
      go test -count="${THROUGHPUT_COUNT:-3}" -v -timeout 60m -run '^TestBenchSystemLogThroughput' ./test/e2e/ >>"$log" 2>&1 || status=$?
  done
fi
grep -E '^(Benchmark|    systemlog_|--- (PASS|FAIL)|ok |FAIL|[a-z -]+: lost=)' "$log" || true
[ "$status" -eq 0 ] || echo "==> measurement FAILED (status $status); full log: $log" >&2
exit "$status"
