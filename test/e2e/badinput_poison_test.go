package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// poisonConfig is a pipeline with a user OTTL statement that fails on the content of one event
// (ParseJSON of a displayMessage that is not JSON, for the event with uuid {{POISON}}), with
// error_mode: propagate, so that the pipeline refuses every batch holding that event. The
// receiver isolates the event after max_delivery_attempts refusals and skips it.
const poisonConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    collection_interval: 1s
    inventory:
      full_sync_interval: 1h
      incremental_interval: 10m
    system_log:
      poll_interval: 1s
      initial_lookback: 2h
      initial_backoff: 200ms
      max_backoff: 1s
      max_delivery_attempts: 3
processors:
  transform/user_rule:
    error_mode: propagate
    log_statements:
      - statements:
          - set(log.attributes["parsed"], ParseJSON(log.body["displayMessage"])) where log.attributes["log.record.uid"] == "{{POISON}}"
exporters:
  otlp_http/sink:
    logs_endpoint: {{SINK}}/v1/logs
    encoding: proto
    compression: none
  prometheus:
    endpoint: 127.0.0.1:{{PROM}}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      processors: [transform/user_rule]
      exporters: [otlp_http/sink]
    metrics:
      receivers: [okta]
      exporters: [prometheus]
`

// TestBadInputPoisonEvent: one event among 10,000 that a user rule always fails on. The real
// binary delivers the 9,999 others exactly once, skips the poison event, counts it
// (okta_system_log_skipped) and logs it once with its uuid.
func TestBadInputPoisonEvent(t *testing.T) {
	sim := startSimulator(t, "--users", "20", "--groups", "5", "--apps", "3", "--events-per-sec", "0",
		"--late-share", "0", "--history-events", "10000", "--history-span", "30m")
	truth := sim.simUUIDs(t)
	if len(truth) != 10000 {
		t.Fatalf("the simulator holds %d events, want 10000", len(truth))
	}
	poison := truth[6543]
	sink := startOTLPSink(t)
	dir := t.TempDir()
	health, prom := freePort(t), freePort(t)
	coll := startCollector(t, dir, render(poisonConfig, map[string]string{
		"SIM": sim.url, "SINK": sink.url, "HEALTH": strconv.Itoa(health), "PROM": strconv.Itoa(prom), "POISON": poison,
	}), health)

	if !waitFor(context.Background(), 120*time.Second, 200*time.Millisecond, func() bool { return sink.distinct() >= len(truth)-1 }) {
		t.Fatalf("the sink holds %d distinct events, want %d: the stream stalled", sink.distinct(), len(truth)-1)
	}
	counts, _ := sink.snapshot()
	rep := compareDelivery(truth, counts)
	t.Logf("poison event %s: %s", poison, rep)
	if len(rep.lost) != 1 || rep.lost[0] != poison {
		t.Errorf("want exactly the poison event missing, got lost=%v", rep.lost[:min(5, len(rep.lost))])
	}
	if len(rep.duplicated) > 0 || len(rep.extra) > 0 {
		t.Errorf("duplicated=%d unknown=%d, want none", len(rep.duplicated), len(rep.extra))
	}

	var skipped float64
	if !waitFor(context.Background(), 30*time.Second, 500*time.Millisecond, func() bool {
		samples, err := scrapeProm(fmt.Sprintf("http://127.0.0.1:%d/metrics", prom))
		if err != nil {
			return false
		}
		skipped = 0
		for _, s := range samples {
			if strings.HasPrefix(s.Name, "okta_system_log_skipped") && s.Labels["okta_system_log_skip_reason"] == "retries_exhausted" {
				skipped += s.Value
			}
		}
		return skipped > 0
	}) {
		t.Errorf("okta_system_log_skipped{okta_system_log_skip_reason=\"retries_exhausted\"} never appeared")
	}
	if skipped != 1 {
		t.Errorf("okta_system_log_skipped counts %v events, want 1", skipped)
	}
	var lines []string
	for _, line := range strings.Split(coll.out.String(), "\n") {
		if strings.Contains(line, "Skipped System Log events") {
			lines = append(lines, line)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("want the skip logged once, found %d lines:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], poison) || !strings.Contains(lines[0], "ParseJSON") && !strings.Contains(lines[0], "JSON") {
		t.Errorf("the skip line should name the uuid and the pipeline's error: %s", lines[0])
	}
	t.Logf("operator sees: %s", tail(lines[0], 700))
}
