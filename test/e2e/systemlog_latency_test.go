package e2e

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"
)

// latencySim: no late events (published = persisted), no history, 50 events/s,
// rate limits off so that the poller is never held back by the budget.
var latencySim = []string{
	"--users", "40", "--groups", "8", "--apps", "5",
	"--events-per-sec", "0", "--late-share", "0", "--history-events", "0",
	"--rate-limits=false", "--hook-batch-window", "20ms",
}

const latencyRate = 50

// BenchmarkSystemLogLatencyPolling measures event -> sink latency through the durable
// pipeline with poll_interval 2s and exporter batches flushed after 100 ms (goal: p99 <=
// poll_interval + 1 s = 3 s).
func BenchmarkSystemLogLatencyPolling(b *testing.B) {
	benchLatency(b, durableOptions{pollInterval: 2 * time.Second, flush: 100 * time.Millisecond, minBatch: 1}, false)
}

// BenchmarkSystemLogLatencyEventHooks measures the same with Okta event hooks pushing to the
// receiver (poll_interval 10s stays on as the safety net; goal: p99 <= 1 s).
func BenchmarkSystemLogLatencyEventHooks(b *testing.B) {
	benchLatency(b, durableOptions{pollInterval: 10 * time.Second, flush: 100 * time.Millisecond, minBatch: 1}, true)
}

// benchLatency runs measureLatency b.N times and reports the latency distribution of all
// the events measured (events, p50-ms, p99-ms, max-ms).
func benchLatency(b *testing.B, opts durableOptions, hooks bool) {
	requireBinaries(b)
	var lat []time.Duration
	for range b.N {
		lat = append(lat, measureLatency(b, opts, hooks)...)
	}
	sum := summarize(lat)
	b.ReportMetric(float64(sum.n), "events")
	b.ReportMetric(ms(sum.p50), "p50-ms")
	b.ReportMetric(ms(sum.p99), "p99-ms")
	b.ReportMetric(ms(sum.max), "max-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// measureLatency runs the generator for 30 s (1500 events) against a warmed-up collector
// and returns (first arrival at the sink − published) for each event published
// after the warm-up. Every event must arrive.
func measureLatency(t testing.TB, opts durableOptions, hooks bool) []time.Duration {
	t.Helper()
	const secret = "e2e-hook-secret"
	hookPort := 0
	if hooks {
		hookPort = freePort(t)
		opts.hooks = hookBlock(hookPort, secret)
	}
	run := startDurableRun(t, latencySim, opts)
	if hooks {
		run.sim.control(t, http.MethodPost, "/_sim/hooks", map[string]any{
			"url":        "http://127.0.0.1:" + strconv.Itoa(hookPort) + "/okta/events",
			"authHeader": map[string]string{"key": "Authorization", "value": secret},
		})
	}
	run.sim.control(t, http.MethodPut, "/_sim/events/rate", map[string]float64{"eventsPerSec": latencyRate})
	// Warm-up: the first poll and the first export have happened.
	if !waitFor(context.Background(), 30*time.Second, 100*time.Millisecond, func() bool { return run.sink.distinct() > 0 }) {
		t.Fatalf("no event reached the sink within 30 s")
	}
	// The measurement: events published from one second after the warm-up, for 30 s of the
	// generator's output (latencyRate events per second), counted where they are persisted.
	from := time.Now().Add(time.Second)
	persisted := run.sim.eventStats(t).Persisted
	if !waitFor(context.Background(), 90*time.Second, 100*time.Millisecond, func() bool {
		return run.sim.eventStats(t).Persisted >= persisted+31*latencyRate
	}) {
		t.Fatalf("the simulator persisted only %d of %d events in 90 s", run.sim.eventStats(t).Persisted-persisted, 31*latencyRate)
	}
	rep := awaitDelivery(t, run.sim, run.sink, 30*time.Second)
	assertExactlyOnce(t, "latency run", rep)

	published := run.sim.simPublished(t, from.Add(-time.Minute))
	_, firstSeen := run.sink.snapshot()
	var lat []time.Duration
	for id, p := range published {
		if p.Before(from) {
			continue
		}
		seen, ok := firstSeen[id]
		if !ok {
			t.Fatalf("event %s never reached the sink", id)
		}
		lat = append(lat, seen.Sub(p))
	}
	if len(lat) < 1000 {
		t.Fatalf("only %d events in the measurement window", len(lat))
	}
	t.Logf("event -> sink latency (poll_interval %s, hooks %v): %s", opts.pollInterval, hooks, summarize(slices.Clone(lat)))
	if hooks {
		var list struct {
			Hooks []struct {
				VerificationStatus string `json:"verificationStatus"`
				LastError          string `json:"lastError"`
				EventsDelivered    int    `json:"eventsDelivered"`
			} `json:"hooks"`
		}
		run.sim.getJSON(t, "/_sim/hooks", &list)
		t.Logf("event hooks: %+v", list.Hooks)
		if len(list.Hooks) == 0 || list.Hooks[0].EventsDelivered == 0 {
			t.Errorf("the simulator delivered no event through the hook: the run measured polling only")
		}
	}
	return lat
}
