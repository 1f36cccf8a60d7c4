package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fullSyncBenchConfig: okta → file exporter, metrics on a Prometheus endpoint
// (read to learn when the first full sync has finished). System Log off: the
// benchmark measures the inventory alone.
const fullSyncBenchConfig = `
extensions:
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    collection_interval: 1s
    rate_limit:
      budget: 0.5
    system_log:
      enabled: false
exporters:
  file/okta:
    path: {{DIR}}/records.jsonl
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
      exporters: [file/okta]
    metrics:
      receivers: [okta]
      exporters: [prometheus]
`

// BenchmarkFullSyncBinary runs the real collector binary through one full sync
// of a simulated org (out of process) and reports the collector's peak RSS
// (VmHWM), the sync duration, and the requests and 429s the simulator served.
//
//	10k users: rate limits on at Okta's Workforce numbers per window, window
//	           scaled from 60 s to 2 s (same counts per window), budget 0.5.
//	100k users: rate limits off, to measure memory at scale quickly.
func BenchmarkFullSyncBinary(b *testing.B) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"users=10k", []string{"--users", "10000", "--groups", "1000", "--apps", "200", "--rate-limit-window", "2s"}},
		{"users=100k", []string{"--users", "100000", "--groups", "10000", "--apps", "2000", "--rate-limits=false"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				benchFullSyncOnce(b, tc.args)
			}
		})
	}
}

func benchFullSyncOnce(b *testing.B, simArgs []string) {
	sim := startSimulator(b, append(simArgs, "--events-per-sec", "0", "--history-events", "0")...)
	dir := b.TempDir()
	health, prom := freePort(b), freePort(b)
	cfg := render(fullSyncBenchConfig, map[string]string{
		"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health), "PROM": strconv.Itoa(prom),
	})
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	col := startProcess(b, "otelcol-okta", collectorBin, []string{"OKTA_API_TOKEN=" + simToken}, "--config", path)
	promURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", prom)
	done := waitFor(context.Background(), 30*time.Minute, time.Second, func() bool {
		samples, err := scrapeProm(promURL)
		return err == nil && len(promFind(samples, "okta_inventory_sync_duration_seconds", map[string]string{"okta_sync_kind": "full"})) > 0
	})
	if !done {
		b.Fatalf("the first full sync did not finish within 30 minutes")
	}
	elapsed := time.Since(start)
	peak, err := peakRSSMiB(col.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	stats := sim.stats(b)
	b.ReportMetric(peak, "peak-rss-MiB")
	b.ReportMetric(elapsed.Seconds(), "sync-s")
	b.ReportMetric(number(stats["requests"]), "requests")
	b.ReportMetric(number(stats["served429"]), "429s")
}

// peakRSSMiB reads VmHWM (the peak resident set) of a process.
func peakRSSMiB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmHWM %q: %w", rest, err)
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// number converts a decoded JSON number (float64) to float64, 0 otherwise.
func number(v any) float64 {
	f, _ := v.(float64)
	return f
}
