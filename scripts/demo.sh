#!/usr/bin/env bash
# Runs the demo: the Okta org simulator on 127.0.0.1:8989 and the otelcol-okta collector
# with config/demo.yaml. Records go to demo-data/okta-logs.jsonl, metrics to
# http://127.0.0.1:9464/metrics. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

SIM_ADDR="${OKTASIM_ADDR:-127.0.0.1:8989}"
export OKTA_ENDPOINT="http://${SIM_ADDR}"
export OKTA_API_TOKEN="${OKTA_API_TOKEN:-oktasim-demo-token}"
export OKTA_DEMO_DIR="${OKTA_DEMO_DIR:-$PWD/demo-data}"
mkdir -p "$OKTA_DEMO_DIR/storage"

./bin/oktasim --addr "$SIM_ADDR" --control --token "$OKTA_API_TOKEN" --events-per-sec 5 \
  >"$OKTA_DEMO_DIR/oktasim.log" 2>&1 &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if curl -fsS "${OKTA_ENDPOINT}/.well-known/okta-organization" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$sim_pid" 2>/dev/null; then echo "oktasim failed to start:"; cat "$OKTA_DEMO_DIR/oktasim.log"; exit 1; fi
  sleep 0.1
done

cat <<MSG
==> Okta simulator: ${OKTA_ENDPOINT} (log: ${OKTA_DEMO_DIR}/oktasim.log)
==> Collector: config/demo.yaml. Where to look:
      records (inventory, System Log, findings): ${OKTA_DEMO_DIR}/okta-logs.jsonl
      metrics (Prometheus format):               http://127.0.0.1:9464/metrics
      health:                                    http://127.0.0.1:13133/
    System Log events, findings and rate-limit metrics arrive within seconds; the inventory metrics
    (okta_users, okta_applications, ...) once the first full sync is done, a couple of minutes at
    Okta's rate limits (the receiver spends half of its token's share, as it would on a real org).
    Try: tail -f ${OKTA_DEMO_DIR}/okta-logs.jsonl | head -c 2000
         curl -s http://127.0.0.1:9464/metrics | grep '^okta_'
    Ctrl-C stops the collector and the simulator.
MSG

./bin/otelcol-okta --config config/demo.yaml
