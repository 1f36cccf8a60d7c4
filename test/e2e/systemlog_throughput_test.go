package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// throughputEvents is the System Log history the receiver backfills.
const throughputEvents = 200_000

// throughputSim: a tiny org (inventory noise is negligible), a large
// pre-generated history, no generator, no rate limits.
var throughputSim = []string{
	"--users", "10", "--groups", "3", "--apps", "2",
	"--events-per-sec", "0", "--late-share", "0",
	"--history-events", strconv.Itoa(throughputEvents), "--history-span", "1h",
	"--rate-limits=false", "--concurrency-limit", "0",
}

// telemetryProm exposes the collector's own metrics on 127.0.0.1:{{PROM}}.
const telemetryProm = `    metrics:
      level: basic
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: {{PROM}}`

// throughputReceiver is the extensions and receivers of the file exporter backfills: the okta
// receiver with its checkpoints on file_storage/okta, and a health check.
const throughputReceiver = `
extensions:
  file_storage/okta:
    directory: {{DIR}}/storage
    create_directory: true
  health_check:
    endpoint: 127.0.0.1:{{HEALTH}}
receivers:
  okta:
    endpoint: {{SIM}}
    api_token: ${env:OKTA_API_TOKEN}
    storage: file_storage/okta
    collection_interval: 10s
    inventory:
      full_sync_interval: 1h
      incremental_interval: 10m
    system_log:
      initial_lookback: 2h
`

// throughputService opens the service section (extensions, telemetry) of those backfills.
const throughputService = `service:
  extensions: [file_storage/okta, health_check]
  telemetry:
{{TELEMETRY}}
  pipelines:
`

// fileExporterConfig is okta → file exporter (not durable under kill -9, see
// durableSystemLogConfig; measured because the issue asks for it).
const fileExporterConfig = throughputReceiver + `exporters:
  file/okta:
    path: {{DIR}}/records.jsonl
` + throughputService + `    logs:
      receivers: [okta]
      exporters: [file/okta]
`

// productionFileConfig is fileExporterConfig with the logs pipeline of the production configs
// (config/*.yaml): memory_limiter, rules (both packs), transform/okta_event_type, and the count
// connector beside the exporter; the file exporter stands in for the OTLP exporter.
const productionFileConfig = throughputReceiver + `processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  rules:
    packs: [okta-posture, okta-detections]
  transform/okta_event_type:
    error_mode: ignore
    log_statements:
      - conditions: ['log.attributes["okta.record.kind"] == "system_log"']
        statements: ['set(log.attributes["okta.event.type"], log.event_name)']
connectors:
  count/okta:
    logs:
      okta.system_log.activity:
        conditions: ['log.attributes["okta.record.kind"] == "system_log"']
        attributes:
          - key: okta.event.type
          - key: okta.outcome.result
            default_value: UNKNOWN
exporters:
  file/okta:
    path: {{DIR}}/records.jsonl
  debug:
    verbosity: basic
` + throughputService + `    logs:
      receivers: [okta]
      processors: [memory_limiter, rules, transform/okta_event_type]
      exporters: [file/okta, count/okta]
    metrics:
      receivers: [count/okta]
      exporters: [debug]
`

// measureBackfill starts the collector and waits until count() reaches throughputEvents,
// measuring wall time and collector CPU from the process start on (collector start-up
// included: the figures are conservative). The simulator's and this process's CPU are
// logged, to tell where a slow run spent its time.
func measureBackfill(t testing.TB, sim *simulator, coll *restartableCollector, count func() int) runMeasure {
	t.Helper()
	start := time.Now()
	sim0, err := processCPU(sim.cmd.Process.Pid)
	mustf(t, err, "simulator CPU")
	self0, err := processCPU(os.Getpid())
	mustf(t, err, "test process CPU")
	coll.start()
	var n int
	done := waitFor(context.Background(), 10*time.Minute, 100*time.Millisecond, func() bool {
		n = count()
		return n >= throughputEvents
	})
	elapsed := time.Since(start)
	cpu, err := processCPU(coll.pid())
	mustf(t, err, "collector CPU")
	rss, err := peakRSSMiB(coll.pid())
	mustf(t, err, "collector peak RSS")
	sim1, err := processCPU(sim.cmd.Process.Pid)
	mustf(t, err, "simulator CPU")
	self1, err := processCPU(os.Getpid())
	mustf(t, err, "test process CPU")
	if !done {
		t.Fatalf("only %d of %d events arrived within 10 minutes", n, throughputEvents)
	}
	t.Logf("simulator CPU %.1f µs/event, test process (sink) CPU %.1f µs/event",
		float64((sim1-sim0).Microseconds())/throughputEvents, float64((self1-self0).Microseconds())/throughputEvents)
	return runMeasure{events: throughputEvents, elapsed: elapsed, cpu: cpu, peakRSS: rss}
}

// BenchmarkSystemLogBackfillFile: okta → file exporter, backfilling 200,000 events with
// rate limits off. Progress is read from the collector's own
// otelcol_receiver_accepted_log_records counter; the file is checked at the end.
func BenchmarkSystemLogBackfillFile(b *testing.B) {
	benchFileBackfill(b, fileExporterConfig, nil)
}

// BenchmarkSystemLogBackfillFileGOGC200: the same with the collector at GOGC=200, what trading
// memory for fewer GC cycles buys (docs/scaling.md).
func BenchmarkSystemLogBackfillFileGOGC200(b *testing.B) {
	benchFileBackfill(b, fileExporterConfig, []string{"GOGC=200"})
}

// BenchmarkSystemLogBackfillFileProduction: the same backfill through the production logs
// pipeline (memory_limiter, rules, transform, count connector) to the file exporter.
func BenchmarkSystemLogBackfillFileProduction(b *testing.B) {
	benchFileBackfill(b, productionFileConfig, nil)
}

// benchFileBackfill measures b.N backfills of throughputSim by the collector with config (a
// template with DIR, SIM, HEALTH and TELEMETRY, writing {{DIR}}/records.jsonl with a file
// exporter) and env; every System Log event must be in the file.
func benchFileBackfill(b *testing.B, config string, env []string) {
	requireBinaries(b)
	var total runMeasure
	for range b.N {
		b.StopTimer()
		sim := startSimulator(b, throughputSim...)
		dir := b.TempDir()
		health, prom := freePort(b), freePort(b)
		cfg := render(config, map[string]string{
			"DIR": dir, "SIM": sim.url, "HEALTH": strconv.Itoa(health),
			"TELEMETRY": render(telemetryProm, map[string]string{"PROM": strconv.Itoa(prom)}),
		})
		coll := newRestartableCollector(b, dir, cfg, health)
		coll.env = env
		metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", prom)
		b.StartTimer()
		res := measureBackfill(b, sim, coll, func() int { return acceptedRecords(metricsURL) })
		b.StopTimer()
		coll.stop()
		data, err := os.ReadFile(filepath.Join(dir, "records.jsonl"))
		mustf(b, err, "read file exporter output")
		records := bytes.Count(data, []byte(`{"key":"okta.record.kind","value":{"stringValue":"system_log"}}`))
		b.Logf("okta → file exporter: %s; file holds %d System Log records (%d MB)", res, records, len(data)>>20)
		if records < throughputEvents {
			b.Fatalf("the file holds %d System Log records, want %d", records, throughputEvents)
		}
		sim.stop(5 * time.Second)
		total.add(res)
	}
	total.report(b)
}

// acceptedRecords reads the okta receiver's otelcol_receiver_accepted_log_records from the
// collector's Prometheus endpoint (0 when it cannot be read yet). Accepted by the pipeline =
// written by the (synchronous) file exporter; processor-made records (findings) are not counted.
func acceptedRecords(metricsURL string) int {
	samples, err := scrapeProm(metricsURL)
	if err != nil {
		return 0
	}
	var sent float64
	for _, s := range samples {
		if (s.Name == "otelcol_receiver_accepted_log_records_total" || s.Name == "otelcol_receiver_accepted_log_records") &&
			s.Labels["receiver"] == "okta" {
			sent += s.Value
		}
	}
	return int(sent)
}

// BenchmarkSystemLogBackfillDurable: okta → otlp_http with a persistent queue on
// file_storage → OTLP sink, the production pipeline; no event may arrive twice.
func BenchmarkSystemLogBackfillDurable(b *testing.B) {
	requireBinaries(b)
	var total runMeasure
	for range b.N {
		b.StopTimer()
		sim := startSimulator(b, throughputSim...)
		sink := startOTLPSink(b)
		dir := b.TempDir()
		health := freePort(b)
		cfg := durableOptions{pollInterval: 10 * time.Second}.render(dir, sim.url, sink.url, health)
		coll := newRestartableCollector(b, dir, cfg, health)
		b.StartTimer()
		res := measureBackfill(b, sim, coll, sink.distinct)
		b.StopTimer()
		counts := snapshotCounts(sink)
		dups := 0
		for _, n := range counts {
			if n > 1 {
				dups++
			}
		}
		b.Logf("okta → otlp_http + persistent queue → sink: %s; %d distinct uuids, %d duplicated", res, len(counts), dups)
		if dups > 0 {
			b.Fatalf("%d events arrived more than once", dups)
		}
		coll.stop()
		sim.stop(5 * time.Second)
		total.add(res)
	}
	total.report(b)
}
