#!/usr/bin/env bash
# End-to-end System Log benchmarks on built binaries (go test -bench, test/e2e/systemlog_*_test.go):
#   latency     event published in the simulator -> record at the OTLP sink (p50/p99/max), through
#               the durable pipeline with poll_interval 2s, and with event hooks
#               (BenchmarkSystemLogLatency*)
#   throughput  backfill of 200,000 events with rate limits off: okta -> file exporter (alone, at
#               GOGC=200, and behind the production logs processors), okta -> otlp_http with a
#               persistent queue -> sink (BenchmarkSystemLogBackfill*); and bursts of 2,000 and
#               20,000 events into an idle collector (BenchmarkSystemLogBurstFile): events/s,
#               collector CPU µs/event, collector peak RSS
# Usage: ./scripts/bench-latency.sh [latency|throughput|all]   (default latency)
# Prints the `go test -bench` output (benchstat-readable).
# Environment:
#   OTELCOL_OKTA_BIN, OKTASIM_BIN  the builds to measure (default: bin/ of this checkout, as
#                                  `make build` made them); point OTELCOL_OKTA_BIN at another build
#                                  to compare it with this one
#   THROUGHPUT_COUNT               runs of each throughput benchmark, interleaved by go test -count
#                                  (default 3: they depend on how loaded the machine is)
set -euo pipefail
cd "$(dirname "$0")/.."

collector="${OTELCOL_OKTA_BIN:-$PWD/bin/otelcol-okta}"
sim="${OKTASIM_BIN:-$PWD/bin/oktasim}"
for b in "$collector" "$sim"; do
  [ -x "$b" ] || { echo "bench: $b is missing: run 'make build' first" >&2; exit 1; }
done

latency=false
throughput=false
case "${1:-latency}" in
  latency) latency=true ;;
  throughput) throughput=true ;;
  all) latency=true; throughput=true ;;
  *) echo "usage: $0 [latency|throughput|all]" >&2; exit 2 ;;
esac

status=0
# -benchtime 1x: one iteration is one whole measurement (a backfill, a burst, 30 s of latency).
if $latency; then
  OTELCOL_OKTA_BIN="$collector" OKTASIM_BIN="$sim" \
    go test -run '^$' -bench '^BenchmarkSystemLogLatency' -benchtime 1x -count 1 -timeout 60m ./test/e2e/ || status=$?
fi
if $throughput; then
  OTELCOL_OKTA_BIN="$collector" OKTASIM_BIN="$sim" \
    go test -run '^$' -bench '^BenchmarkSystemLog(Backfill|Burst)' -benchtime 1x -count "${THROUGHPUT_COUNT:-3}" -timeout 90m ./test/e2e/ || status=$?
fi
[ "$status" -eq 0 ] || echo "==> measurement FAILED (status $status)" >&2
exit "$status"
