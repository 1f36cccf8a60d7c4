package e2e

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// burstSim: a tiny org with no System Log history and no generator; events arrive only
// through POST /_sim/events.
var burstSim = []string{
	"--users", "10", "--groups", "3", "--apps", "2",
	"--events-per-sec", "0", "--late-share", "0", "--history-events", "0",
	"--rate-limits=false", "--concurrency-limit", "0",
}

// burstIdle is how long the collector idles before a burst: several poll intervals (10 s by
// default) with nothing to read, so that the burst meets the collector as a quiet org's
// would, not right after a previous delivery.
const burstIdle = 25 * time.Second

// BenchmarkSystemLogBurstFile: a burst of N events appears at once in the System Log of an
// org that was quiet; okta → file exporter (as in BenchmarkSystemLogBackfillFile) delivers it.
// cpu-µs/event is the collector's CPU (user+system from /proc/<pid>/stat) from just before
// the injection until the last event was accepted, divided by N: whatever the collector does
// per burst (and while waiting for its next poll) is in it. delivery-s is the time from the
// injection to the last event's acceptance (up to one poll_interval of it is waiting).
func BenchmarkSystemLogBurstFile(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run("events="+strconv.Itoa(n), func(b *testing.B) {
			requireBinaries(b)
			var total runMeasure
			for range b.N {
				total.add(measureBurst(b, n))
			}
			b.ReportMetric(total.cpuPerEvent(), "cpu-µs/event")
			b.ReportMetric(total.elapsed.Seconds()/float64(b.N), "delivery-s")
			b.ReportMetric(total.peakRSS, "peak-rss-MiB")
		})
	}
}

// measureBurst runs one collector on burstSim, lets it deliver one warm-up event and idle
// for burstIdle, then injects n events and measures their delivery.
func measureBurst(b *testing.B, n int) runMeasure {
	b.Helper()
	b.StopTimer()
	sim := startSimulator(b, burstSim...)
	defer sim.stop(5 * time.Second)
	dir := b.TempDir()
	health, prom := freePort(b), freePort(b) // prom: the config exposes it; the benchmark never scrapes it
	cfg := render(fileExporterConfig, map[string]string{
		"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health),
		"TELEMETRY": render(telemetryProm, map[string]string{"PROM": strconv.Itoa(prom)}),
	})
	coll := newRestartableCollector(b, dir, cfg, health)
	coll.start()
	defer coll.stop()
	// Progress is read from the file, not from the collector's metrics endpoint: a scrape
	// costs the collector CPU, which would count as the burst's.
	out := &recordFile{path: filepath.Join(dir, "records.jsonl")}

	sim.control(b, http.MethodPost, "/_sim/events", map[string]any{"count": 1})
	if !waitFor(context.Background(), time.Minute, 100*time.Millisecond, func() bool { return out.count(b) >= 1 }) {
		b.Fatal("the warm-up event was not delivered within a minute")
	}
	time.Sleep(burstIdle) // the scenario: the quiet period the burst follows (see burstIdle), not a wait for anything

	b.StartTimer()
	cpu0, err := processCPU(coll.pid())
	mustf(b, err, "collector CPU")
	start := time.Now()
	sim.control(b, http.MethodPost, "/_sim/events", map[string]any{"count": n})
	var got int
	done := waitFor(context.Background(), 5*time.Minute, 20*time.Millisecond, func() bool {
		got = out.count(b) - 1
		return got >= n
	})
	elapsed := time.Since(start)
	cpu1, err := processCPU(coll.pid())
	mustf(b, err, "collector CPU")
	b.StopTimer()
	if !done {
		b.Fatalf("only %d of %d burst events were delivered within 5 minutes", got, n)
	}
	rss, err := peakRSSMiB(coll.pid())
	mustf(b, err, "collector peak RSS")
	res := runMeasure{events: n, elapsed: elapsed, cpu: cpu1 - cpu0, peakRSS: rss}
	b.Logf("burst of %d events: %s", n, res)
	return res
}

// recordFile counts the System Log records in the file exporter's output as it grows, reading
// only what was appended since the last call (the exporter writes one JSON line per batch).
type recordFile struct {
	path    string
	offset  int64
	records int
}

// systemLogRecordMarker occurs once in the OTLP JSON of each System Log record.
var systemLogRecordMarker = []byte(`{"key":"okta.record.kind","value":{"stringValue":"system_log"}}`)

func (f *recordFile) count(t testing.TB) int {
	t.Helper()
	fh, err := os.Open(f.path)
	if os.IsNotExist(err) {
		return 0
	}
	mustf(t, err, "open file exporter output")
	defer fh.Close()
	data, err := io.ReadAll(io.NewSectionReader(fh, f.offset, math.MaxInt64-f.offset))
	mustf(t, err, "read file exporter output")
	complete := bytes.LastIndexByte(data, '\n') + 1 // a line still being written is read next time
	f.records += bytes.Count(data[:complete], systemLogRecordMarker)
	f.offset += int64(complete)
	return f.records
}
