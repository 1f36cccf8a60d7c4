#!/usr/bin/env bash
# Runs every benchmark of the project and writes BENCHMARKS.md (machine, date, the exact
# commands, one table per package, ratios between benchmarks of the same run).
#
#   go test -bench   every package with Benchmark functions (simulator, receiver, rules
#                    processor, ...), found by grepping the sources
#   end to end       the benchmarks of test/e2e on the built binaries: the inventory full sync
#                    (BenchmarkFullSyncBinary), a restart on a persisted inventory state
#                    (BenchmarkInventoryRestartBinary), then scripts/bench-latency.sh all (System Log
#                    latency, backfill throughput and bursts, THROUGHPUT_COUNT runs each)
#
# Usage: ./scripts/bench.sh            (make bench builds the binaries first)
# Environment:
#   BENCH_TIME   minimum time per benchmark, go test -benchtime (default 1s)
#   BENCH_COUNT  repetitions, go test -count (default 1; use 5+ with benchstat)
#   BENCH_E2E    0 skips the end-to-end measurements (default 1)
#   OTELCOL_OKTA_BIN, OKTASIM_BIN  builds the end-to-end benchmarks measure (default bin/); set
#                OTELCOL_OKTA_BIN to an older build for an old-vs-new comparison
#   THROUGHPUT_COUNT  runs of each System Log throughput benchmark (default 3)
#   BENCH_PKGS   space-separated package directories instead of all (e.g. "processor/rulesprocessor")
#   BENCH_OUT    report file (default BENCHMARKS.md)
#   BENCH_BASELINE  a git revision (e.g. a release tag or an older commit): its collector is built
#                in a temporary worktree and measured in the same run on the budgets' benchmarks
#                (System Log backfill and 2,000-event burst, 100k-user full sync, rules), so that
#                the report's budget table sets this build beside it
# Exits non-zero when a benchmark command failed (the report is written anyway and says so).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_TIME="${BENCH_TIME:-1s}"
BENCH_COUNT="${BENCH_COUNT:-1}"
BENCH_E2E="${BENCH_E2E:-1}"
BENCH_OUT="${BENCH_OUT:-BENCHMARKS.md}"

started=$SECONDS
work="$(mktemp -d -t otelcol-okta-bench.XXXXXX)"
echo "bench: raw outputs in $work"

# Machine description (label<TAB>value), taken before the run so the load is the start load.
machine="$work/machine.txt"
{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  cpu="$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)"
  printf 'CPU\t%s\n' "${cpu:-$(uname -m)}"
  printf 'logical CPUs (nproc)\t%s\n' "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
  mem_kb="$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || true)"
  if [ -n "$mem_kb" ]; then printf 'memory\t%s GiB\n' "$(awk -v k="$mem_kb" 'BEGIN {printf "%.1f", k/1048576}')"; fi
  printf 'OS\t%s\n' "$(uname -sr)"
  printf 'Go\t%s\n' "$(go env GOVERSION) ($(go env GOOS)/$(go env GOARCH))"
  if [ -r /proc/loadavg ]; then printf 'load average at start (1/5/15 min)\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"; fi
} >"$machine"
cat "$machine"

sections=()
failed=0

# The baseline build, when asked for: a detached worktree of BENCH_BASELINE with its own bin/.
baseline_dir=""
baseline_name=""
if [ -n "${BENCH_BASELINE:-}" ]; then
  baseline_dir="$work/baseline"
  baseline_name="commit $(git rev-parse --short "$BENCH_BASELINE")"
  git worktree add --quiet --detach "$baseline_dir" "$BENCH_BASELINE"
  trap 'git worktree remove --force "$baseline_dir" >/dev/null 2>&1 || true' EXIT
  echo "bench: building the baseline ($baseline_name)"
  make -C "$baseline_dir" build >"$work/baseline-build.txt" 2>&1 ||
    { cat "$work/baseline-build.txt" >&2; echo "bench: the baseline does not build" >&2; exit 1; }
fi

# title_for names a package directory in the report.
title_for() {
  case "$1" in
    internal/oktasim) echo "Okta simulator (internal/oktasim)" ;;
    receiver/oktareceiver) echo "okta receiver (receiver/oktareceiver)" ;;
    receiver/oktareceiver/internal/simtest/inventory) echo "okta receiver: inventory against the simulator (receiver/oktareceiver/internal/simtest/inventory)" ;;
    receiver/oktareceiver/internal/simtest/systemlog) echo "okta receiver: System Log against the simulator (receiver/oktareceiver/internal/simtest/systemlog)" ;;
    processor/rulesprocessor) echo "rules processor (processor/rulesprocessor)" ;;
    *) echo "$1" ;;
  esac
}

# run_section TITLE OUTFILE SHOWN CMD... runs CMD, shows and keeps its output, and records
# the section with SHOWN as its command (relative paths only: the report is committed).
run_section() {
  local title="$1" out="$2" shown="$3"
  shift 3
  local status=0
  echo
  echo "==> $title: $shown"
  "$@" 2>&1 | tee "$out" || status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    echo "==> $title FAILED (status $status)" >&2
    failed=1
  fi
  sections+=("$title|$shown|$status|$out")
}

# Every package (outside the end-to-end tests) with a Benchmark function, or BENCH_PKGS.
if [ -n "${BENCH_PKGS:-}" ]; then
  read -r -a pkgs <<<"$BENCH_PKGS"
else
  mapfile -t pkgs < <(grep -rl --include='*_test.go' '^func Benchmark' internal receiver processor extension cmd 2>/dev/null |
    xargs -r -n1 dirname | sort -u)
fi
if [ "${#pkgs[@]}" -eq 0 ]; then
  echo "bench: no package with benchmarks found" >&2
  exit 1
fi
for dir in "${pkgs[@]}"; do
  # A package of a module of its own (a component, or the receiver's simulator-backed tests) is
  # benchmarked from its module's folder, the nearest one with a go.mod: the root module does not
  # contain its packages.
  gocmd=(go) shown_go="go"
  pkg="./$dir/"
  mod="$dir"
  while [ "$mod" != "." ] && [ ! -f "$mod/go.mod" ]; do mod="$(dirname "$mod")"; done
  if [ "$mod" != "." ]; then
    gocmd=(go -C "$mod") shown_go="go -C $mod"
    pkg="./${dir#"$mod"}/"
    pkg="${pkg/\/\//\/}"
  fi
  cmd=("${gocmd[@]}" test -run '^$' -bench . -benchmem -benchtime "$BENCH_TIME" -count "$BENCH_COUNT" -timeout 30m "$pkg")
  run_section "$(title_for "$dir")" "$work/$(echo "$dir" | tr / _).txt" \
    "$shown_go test -run '^\$' -bench . -benchmem -benchtime $BENCH_TIME -count $BENCH_COUNT -timeout 30m $pkg" "${cmd[@]}"
done

# End to end on the built binaries.
if [ "$BENCH_E2E" != "0" ]; then
  # OTELCOL_OKTA_BIN / OKTASIM_BIN, when set, measure another build (the report names it).
  collector="${OTELCOL_OKTA_BIN:-$PWD/bin/otelcol-okta}"
  sim="${OKTASIM_BIN:-$PWD/bin/oktasim}"
  shown_bins="OTELCOL_OKTA_BIN=bin/otelcol-okta OKTASIM_BIN=bin/oktasim"
  if [ -n "${OTELCOL_OKTA_BIN:-}${OKTASIM_BIN:-}" ]; then
    shown_bins="OTELCOL_OKTA_BIN=$(basename "$collector") OKTASIM_BIN=$(basename "$sim") (another build)"
  fi
  run_section "end to end: inventory full sync (test/e2e)" "$work/e2e_inventory.txt" \
    "$shown_bins go test -run '^\$' -bench '^Benchmark(FullSync|InventoryRestart)Binary' -benchtime 1x -count $BENCH_COUNT ./test/e2e/" \
    env OTELCOL_OKTA_BIN="$collector" OKTASIM_BIN="$sim" \
    go test -run '^$' -bench '^Benchmark(FullSync|InventoryRestart)Binary' -benchtime 1x -count "$BENCH_COUNT" -timeout 90m ./test/e2e/
  run_section "end to end: System Log latency, backfill and bursts (test/e2e)" "$work/e2e_systemlog.txt" \
    "$shown_bins ./scripts/bench-latency.sh all" \
    env OTELCOL_OKTA_BIN="$collector" OKTASIM_BIN="$sim" ./scripts/bench-latency.sh all
fi

# The baseline on the budgets' benchmarks (see internal/benchreport/budgets.go): end to end its
# binary under this build's simulator and harness, in process its own benchmark code.
if [ -n "$baseline_dir" ]; then
  old="$baseline_dir/bin/otelcol-okta"
  sim="${OKTASIM_BIN:-$PWD/bin/oktasim}"
  run_section "baseline rules processor ($baseline_name)" "$work/baseline_rules.txt" \
    "(in the baseline's worktree) go test -run '^\$' -bench '^BenchmarkRulesMixedStream\$' -benchmem -benchtime $BENCH_TIME -count $BENCH_COUNT ./processor/rulesprocessor/" \
    bash -c 'cd "$1" && shift && exec "$@"' _ "$baseline_dir" \
    go test -run '^$' -bench '^BenchmarkRulesMixedStream$' -benchmem -benchtime "$BENCH_TIME" -count "$BENCH_COUNT" ./processor/rulesprocessor/
  if [ "$BENCH_E2E" != "0" ]; then
    run_section "baseline end to end: 100k-user full sync ($baseline_name)" "$work/baseline_inventory.txt" \
      "OTELCOL_OKTA_BIN=<baseline>/bin/otelcol-okta OKTASIM_BIN=bin/oktasim go test -run '^\$' -bench '^BenchmarkFullSyncBinary/users=100k\$' -benchtime 1x -count $BENCH_COUNT ./test/e2e/" \
      env OTELCOL_OKTA_BIN="$old" OKTASIM_BIN="$sim" \
      go test -run '^$' -bench '^BenchmarkFullSyncBinary/users=100k$' -benchtime 1x -count "$BENCH_COUNT" -timeout 60m ./test/e2e/
    run_section "baseline end to end: System Log backfill and bursts ($baseline_name)" "$work/baseline_systemlog.txt" \
      "OTELCOL_OKTA_BIN=<baseline>/bin/otelcol-okta OKTASIM_BIN=bin/oktasim go test -run '^\$' -bench '^BenchmarkSystemLog(BackfillFile\$|BurstFile)' -benchtime 1x -count ${THROUGHPUT_COUNT:-3} ./test/e2e/" \
      env OTELCOL_OKTA_BIN="$old" OKTASIM_BIN="$sim" \
      go test -run '^$' -bench '^BenchmarkSystemLog(BackfillFile$|BurstFile)' -benchtime 1x -count "${THROUGHPUT_COUNT:-3}" -timeout 90m ./test/e2e/
  fi
fi

if [ -r /proc/loadavg ]; then
  printf 'load average at end (1/5/15 min)\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$machine"
fi
elapsed=$((SECONDS - started))
printf 'duration of the whole run\t%d min %02d s\n' $((elapsed / 60)) $((elapsed % 60)) >>"$machine"
go run ./scripts/benchreport -machine "$machine" -out "$BENCH_OUT" -baseline "$baseline_name" "${sections[@]}"
echo
echo "bench: wrote $BENCH_OUT"
if [ "$failed" -ne 0 ]; then
  echo "bench: at least one benchmark command failed; see above and $work" >&2
  exit 1
fi
