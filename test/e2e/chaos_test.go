package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// chaosConfig is the production pipeline (okta → rules → otlp_http with a
// persistent queue, no batch processor) plus a second logs pipeline that
// writes only inventory records to a file, so that the run can check every
// ground-truth object. {{FILE}} changes for the final run.
const chaosConfig = `
extensions:
  file_storage/okta:
    directory: {{DIR}}/storage
    create_directory: true
  file_storage/queue:
    directory: {{DIR}}/queue
    create_directory: true
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    storage: file_storage/okta
    collection_interval: 5s
    inventory:
      full_sync_interval: 1h
      incremental_interval: 30s
      resources:
        group_membership: {enabled: true}
    system_log:
      poll_interval: 1s
      initial_lookback: 2h
      initial_backoff: 200ms
      max_backoff: 2s
processors:
  rules:
  filter/inventory_only:
    error_mode: ignore
    logs:
      log_record:
        - 'attributes["okta.record.kind"] != "inventory"'
exporters:
` + durableSinkExporter + `  file/inventory:
    path: {{FILE}}
    flush_interval: 100ms
service:
  extensions: [file_storage/okta, file_storage/queue, health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [okta]
      processors: [rules]
      exporters: [otlp_http/sink]
    logs/inventory:
      receivers: [okta]
      processors: [filter/inventory_only]
      exporters: [file/inventory]
`

// chaosSim is the org and event stream of the chaos run; rate limits stay on.
var chaosSim = []string{
	"--users", "120", "--groups", "20", "--apps", "12",
	"--events-per-sec", "100", "--late-share", "0.05", "--late-delay", "3s",
	"--history-events", "2000", "--history-span", "30m",
}

// chaosFaultSets are the simulator fault mixes the run switches between
// (PUT /_sim/faults replaces the whole set).
var chaosFaultSets = []struct {
	name   string
	faults map[string]any
}{
	{"clean", map[string]any{}},
	{"mixed", map[string]any{"errorRate": 0.1, "stormRate": 0.05, "resetRate": 0.05, "truncateRate": 0.05, "latency": "30ms", "latencyJitter": "120ms"}},
	{"5xx-heavy", map[string]any{"errorRate": 0.4}},
	{"429-storm", map[string]any{"stormFor": "6s"}},
	{"resets+truncation", map[string]any{"resetRate": 0.2, "truncateRate": 0.2}},
	{"slow", map[string]any{"latency": "400ms", "latencyJitter": "600ms"}},
}

// chaosDuration reads CHAOS_DURATION (a Go duration or seconds), default 120s.
func chaosDuration(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("CHAOS_DURATION")
	if v == "" {
		return 120 * time.Second
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	t.Fatalf("CHAOS_DURATION=%q: want a duration such as 120s or a number of seconds", v)
	return 0
}

// TestChaos (CHAOS=1, `make chaos`) runs the collector against the simulator
// with changing Okta faults (5xx, 429 storms, connection resets, truncated
// bodies, latency) and short backend outages, killing it with SIGKILL at
// random moments and restarting it on the same state directory. At the end
// no System Log event may be lost, every duplicate must be the re-send of a
// batch in flight at a kill (OTLP export is at-least-once; see
// exportLedger), and a final run's full sync must have produced a snapshot
// of every ground-truth object.
func TestChaos(t *testing.T) {
	if os.Getenv("CHAOS") != "1" {
		t.Skip("chaos run: set CHAOS=1 (`make chaos` does); CHAOS_DURATION sets its length (default 120s)")
	}
	duration := chaosDuration(t)
	rng := testRand(t)
	sim := startSimulator(t, chaosSim...)
	sink := startOTLPSink(t)
	ledger := startExportLedger(t, sink.url)
	dir := t.TempDir()
	health := freePort(t)
	vars := map[string]string{
		"DIR": dir, "SIM": sim.url, "SINK": ledger.url, "HEALTH": strconv.Itoa(health),
		"FILE": filepath.Join(dir, "inventory-chaos.jsonl"), "FLUSH": "200ms", "MINBATCH": "2000",
	}
	coll := newRestartableCollector(t, dir, render(chaosConfig, vars), health)
	coll.onKill = ledger.noteKill
	coll.start()

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var wg sync.WaitGroup
	faultLog := &chaosLog{}
	wg.Go(func() { playFaults(ctx, sim, sink, rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())), faultLog) })

	kills := 0
	for ctx.Err() == nil {
		up := time.Second + time.Duration(rng.Int64N(int64(7*time.Second)))
		select {
		case <-ctx.Done():
		case <-time.After(up):
			coll.kill()
			kills++
			faultLog.add("kill -9 after %s", up.Round(time.Millisecond))
			coll.start()
		}
	}
	wg.Wait()
	sim.control(t, http.MethodDelete, "/_sim/faults", nil)
	sink.setFailing(false)
	simStats := sim.stats(t)

	// Final run: graceful restart on the same state with a fresh inventory file.
	coll.stop()
	vars["FILE"] = filepath.Join(dir, "inventory-final.jsonl")
	coll.reconfigure(render(chaosConfig, vars))
	coll.start()

	rep := awaitDelivery(t, sim, sink, 120*time.Second)
	gt := sim.groundTruth(t)
	var missing map[string][]string
	waitFor(context.Background(), 180*time.Second, time.Second, func() bool {
		recs, err := readRecords(vars["FILE"])
		if err != nil {
			return false
		}
		missing = missingSnapshots(gt, recs)
		return len(missing) == 0
	})
	objects, missingN := 0, 0
	for _, ids := range gt.IDs {
		objects += len(ids)
	}
	var missingTypes []string
	for typ, ids := range missing {
		missingN += len(ids)
		missingTypes = append(missingTypes, fmt.Sprintf("%s=%d (first %v)", typ, len(ids), ids[:min(3, len(ids))]))
	}
	sort.Strings(missingTypes)

	inFlight, unexplained := ledger.classifyDuplicates(rep.duplicated)
	report := []string{
		fmt.Sprintf("CHAOS REPORT duration=%s kills=%d", duration, kills),
		fmt.Sprintf("chaos timeline: %s", strings.Join(faultLog.entries(), "; ")),
		fmt.Sprintf("simulator: requests=%v injected5xx=%v storm429=%v served429=%v rateLimited=%v resets=%v truncated=%v delayed=%v",
			simStats["requests"], simStats["injected5xx"], simStats["storm429"], simStats["served429"], simStats["rateLimited"],
			simStats["resets"], simStats["truncated"], simStats["delayed"]),
		fmt.Sprintf("system_log: %s", rep),
		fmt.Sprintf("system_log: lost=%d duplicated=%d (re-sent batches in flight at a kill: %d events; other duplicates: %d)",
			len(rep.lost), len(rep.duplicated), len(inFlight), len(unexplained)),
		fmt.Sprintf("inventory: objects=%d types=%d missing=%d %s", objects, len(gt.IDs), missingN, strings.Join(missingTypes, " ")),
	}
	for _, line := range report {
		fmt.Println(line)
		t.Log(line)
	}
	if kills == 0 {
		t.Errorf("the collector was never killed: CHAOS_DURATION %s is too short", duration)
	}
	assertExactlyOnceModuloAck(t, "chaos", rep, ledger)
	if missingN > 0 {
		t.Errorf("%d ground-truth objects have no snapshot after the final full sync: %s", missingN, strings.Join(missingTypes, " "))
	}
}

// playFaults switches the simulator's fault set every 3–10 s and now and
// then plays a 2–5 s backend outage, until ctx ends.
func playFaults(ctx context.Context, sim *simulator, sink *otlpSink, rng *rand.Rand, log *chaosLog) {
	for ctx.Err() == nil {
		set := chaosFaultSets[rng.IntN(len(chaosFaultSets))]
		if err := sim.controlErr(http.MethodPut, "/_sim/faults", set.faults); err != nil {
			log.add("set faults %s: %v", set.name, err)
		} else {
			log.add("faults %s", set.name)
		}
		hold := 3*time.Second + time.Duration(rng.Int64N(int64(7*time.Second)))
		if rng.IntN(4) == 0 {
			outage := 2*time.Second + time.Duration(rng.Int64N(int64(3*time.Second)))
			log.add("backend outage %s", outage.Round(time.Millisecond))
			sink.setFailing(true)
			sleepUntil(ctx, outage)
			sink.setFailing(false)
		}
		sleepUntil(ctx, hold)
	}
}

func sleepUntil(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// chaosLog is the timeline of what the run did, printed in the report.
type chaosLog struct {
	mu    sync.Mutex
	start time.Time
	lines []string
}

func (l *chaosLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.start.IsZero() {
		l.start = time.Now()
	}
	l.lines = append(l.lines, fmt.Sprintf("+%.1fs %s", time.Since(l.start).Seconds(), fmt.Sprintf(format, args...)))
}

func (l *chaosLog) entries() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}
