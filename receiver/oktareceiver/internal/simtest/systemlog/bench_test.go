package systemlog_test

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-okta/otelcol-okta/internal/oktasim"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/emit"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/oktaapi"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/simtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog/systemlogtest"
	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/testkit"
)

// BenchmarkDecodeAndConvertSystemLogPage: the same path for a full page of simulator events
// (limit 1000, realistic mix of event types), the unit the poller really works on. ns/op is
// per page; cpu-µs/event is process CPU (GC included) divided by the events converted.
func BenchmarkDecodeAndConvertSystemLogPage(b *testing.B) {
	page := fetchBenchPage(b)
	observed := time.Now()
	b.ReportAllocs()
	b.SetBytes(int64(len(page.Body)))
	var events int
	cpu0 := processCPU()
	for b.Loop() {
		batch, err := systemlog.DecodePage(page.Body, observed)
		if err != nil {
			b.Fatal(err)
		}
		events += batch.Len()
	}
	reportCPUPerEvent(b, cpu0, events)
}

// BenchmarkDecodeAndConvertSystemLogPageReference: the original decoder on the same page.
func BenchmarkDecodeAndConvertSystemLogPageReference(b *testing.B) {
	page := fetchBenchPage(b)
	observed := time.Now()
	b.ReportAllocs()
	b.SetBytes(int64(len(page.Body)))
	var events int
	cpu0 := processCPU()
	for b.Loop() {
		evs, err := systemlogtest.DecodePage(page.Body)
		if err != nil {
			b.Fatal(err)
		}
		ld := systemlogtest.Convert(evs, observed, testResource)
		events += ld.LogRecordCount()
	}
	reportCPUPerEvent(b, cpu0, events)
}

// BenchmarkMarshalSystemLogPageJSON: the consumer's share in BenchmarkSystemLogPipeline, i.e.
// what the file exporter does with a page (OTLP JSON marshal), per event.
func BenchmarkMarshalSystemLogPageJSON(b *testing.B) {
	page := fetchBenchPage(b)
	batch, err := systemlog.DecodePage(page.Body, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	ld := batch.Logs()
	var m plog.JSONMarshaler
	b.ReportAllocs()
	var events int
	cpu0 := processCPU()
	for b.Loop() {
		out, err := m.MarshalLogs(ld)
		if err != nil || len(out) == 0 {
			b.Fatal(err)
		}
		events += ld.LogRecordCount()
	}
	reportCPUPerEvent(b, cpu0, events)
}

var benchPage struct {
	once sync.Once
	body []byte
	err  error
}

// fetchBenchPage returns one full System Log page (1000 events) from the simulator, fetched
// once per test binary; the simulator is closed and the heap collected before returning so
// that its work does not count in the caller's CPU figures.
func fetchBenchPage(b *testing.B) *oktaapi.Page {
	b.Helper()
	benchPage.once.Do(func() {
		srv, url := startBenchSim(b)
		defer srv.Close()
		cfg := benchConfig(url)
		client, err := newClient(cfg, &http.Client{Timeout: 30 * time.Second})
		if err != nil {
			benchPage.err = err
			return
		}
		page, err := client.SystemLogPage(context.Background(), systemlog.StartURL(cfg.SystemLog, time.Time{}, time.Now()))
		if err != nil {
			benchPage.err = err
			return
		}
		benchPage.body = page.Body
	})
	if benchPage.err != nil {
		b.Fatal(benchPage.err)
	}
	runtime.GC()
	return &oktaapi.Page{Body: benchPage.body}
}

// reportCPUPerEvent reports the process CPU time (user+system, all threads, GC included) spent
// since cpu0 per event: on a shared machine it is steadier than wall time.
func reportCPUPerEvent(b *testing.B, cpu0 time.Duration, events int) {
	b.Helper()
	if events > 0 {
		b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/1e3/float64(events), "cpu-µs/event")
	}
}

// jsonMarshalConsumer marshals every batch to OTLP JSON, as the file exporter would, and
// counts the records.
type jsonMarshalConsumer struct {
	records atomic.Int64
	bytes   atomic.Int64
}

func (c *jsonMarshalConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *jsonMarshalConsumer) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		return err
	}
	c.bytes.Add(int64(len(b)))
	c.records.Add(int64(ld.LogRecordCount()))
	return nil
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const benchPipelineEvents = 20000

// BenchmarkSystemLogPipeline: simulator (rate limits off) → HTTP → poller (decode, dedupe,
// convert, checkpoint) → a consumer marshalling to JSON. One iteration delivers
// benchPipelineEvents events with a fresh checkpoint. cpu-µs/event is the whole process,
// simulator included; BenchmarkSystemLogFetchOnly measures the simulator+HTTP share alone.
func BenchmarkSystemLogPipeline(b *testing.B) {
	srv, url := startBenchSim(b)
	defer srv.Close()
	var elapsed, cpu time.Duration
	var events int64
	for i := 0; i < b.N; i++ {
		cfg := benchConfig(url)
		next := new(jsonMarshalConsumer)
		client, err := newClient(cfg, &http.Client{Timeout: 30 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		params := systemlog.Params{
			Config: &cfg.SystemLog, Telemetry: receivertest.NewNopSettings(metadata.Type), Client: client,
			Storage: testkit.NewMapStorage(), Emit: emit.New(next, nil, testResource),
		}
		p := systemlog.NewPoller(params)
		cpu0, t0 := processCPU(), time.Now()
		if err := p.Start(context.Background(), &testkit.StatusHost{}); err != nil {
			b.Fatal(err)
		}
		for next.records.Load() < benchPipelineEvents {
			time.Sleep(time.Millisecond)
		}
		elapsed += time.Since(t0)
		cpu += processCPU() - cpu0
		events += next.records.Load()
		_ = p.Shutdown(context.Background())
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(events), "cpu-µs/event")
}

// BenchmarkSystemLogFetchOnly: the same pages fetched through the client without decoding,
// to separate the simulator's and HTTP's cost from the receiver's.
func BenchmarkSystemLogFetchOnly(b *testing.B) {
	srv, url := startBenchSim(b)
	defer srv.Close()
	var elapsed, cpu time.Duration
	var events int64
	for i := 0; i < b.N; i++ {
		cfg := benchConfig(url)
		client, err := newClient(cfg, &http.Client{Timeout: 30 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		cpu0, t0 := processCPU(), time.Now()
		u := systemlog.StartURL(cfg.SystemLog, time.Time{}, time.Now())
		for n := 0; n < benchPipelineEvents/cfg.SystemLog.Limit; n++ {
			page, err := client.SystemLogPage(context.Background(), u)
			if err != nil {
				b.Fatal(err)
			}
			u = page.Next
		}
		elapsed += time.Since(t0)
		cpu += processCPU() - cpu0
		events += benchPipelineEvents
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/1e3/float64(events), "cpu-µs/event")
}

// startBenchSim starts the simulator the benchmarks read: 200 users and benchPipelineEvents
// history events. The org keeps the simulator's default seed so that figures stay comparable
// with earlier runs.
func startBenchSim(b *testing.B) (*oktasim.Server, string) {
	b.Helper()
	return simtest.StartSim(b, func(o *oktasim.Options) {
		o.Org.Seed = oktasim.DefaultOptions().Org.Seed
		o.Org.Users, o.Org.Groups, o.Org.Apps = 200, 20, 20
		o.Control = false
		o.Logs.HistoryEvents = benchPipelineEvents
		o.Logs.HistorySpan = 30 * time.Minute
		o.Logs.EventsPerSec = 0
		o.Logs.LateShare = 0
	})
}

func benchConfig(url string) *testConfig {
	cfg := &testConfig{
		Endpoint: url, APIToken: oktasim.DefaultDemoToken,
		SystemLog: systemlog.DefaultConfig(), EventHooks: systemlog.DefaultHooksConfig(),
	}
	cfg.SystemLog.InitialLookback = 2 * time.Hour
	cfg.SystemLog.PollInterval = time.Hour
	return cfg
}
