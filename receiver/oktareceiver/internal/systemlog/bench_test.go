package systemlog

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/otelcol-okta/otelcol-okta/receiver/oktareceiver/internal/systemlog/systemlogtest"
)

// BenchmarkConvertSystemLogEvent: one realistic LogEvent (1.7 KB) → plog record (body map +
// attributes). Since decoding writes the body straight into pdata, decode and conversion are
// one step: this benchmark and BenchmarkDecodeAndConvertSystemLogEvent measure the same code
// (both kept so that the figures stay comparable).
func BenchmarkConvertSystemLogEvent(b *testing.B) {
	benchDecodeEventFile(b, filepath.Join("testdata", "systemlog", "events", "signin-failure.json"))
}

// BenchmarkDecodeAndConvertSystemLogEvent: the receiver's whole CPU path for one event of a
// page: JSON decode + conversion. Reported per event.
func BenchmarkDecodeAndConvertSystemLogEvent(b *testing.B) {
	benchDecodeEventFile(b, filepath.Join("testdata", "systemlog", "events", "signin-failure.json"))
}

// BenchmarkDecodeAndConvertSystemLogEventReference: the original decoder (encoding/json into
// map[string]any, then emit.SetValue) on the same event, for comparison.
func BenchmarkDecodeAndConvertSystemLogEventReference(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "systemlog", "events", "signin-failure.json"))
	if err != nil {
		b.Fatal(err)
	}
	page := append(append([]byte("["), raw...), ']')
	observed := time.Now()
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	cpu0 := processCPU()
	for b.Loop() {
		events, err := systemlogtest.DecodePage(page)
		if err != nil {
			b.Fatal(err)
		}
		systemlogtest.Convert(events, observed, testResource)
	}
	reportCPUPerEvent(b, cpu0, b.N)
}

func benchDecodeEventFile(b *testing.B, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	page := append(append([]byte("["), raw...), ']')
	observed := time.Now()
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	cpu0 := processCPU()
	for b.Loop() {
		batch, err := DecodePage(page, observed)
		if err != nil || batch.Len() != 1 {
			b.Fatal(err)
		}
		testResource(batch.logs.ResourceLogs().At(0).Resource())
	}
	reportCPUPerEvent(b, cpu0, b.N)
}

// reportCPUPerEvent reports the process CPU time (user+system, all threads, GC included) spent
// since cpu0 per event: on a shared machine it is steadier than wall time.
func reportCPUPerEvent(b *testing.B, cpu0 time.Duration, events int) {
	b.Helper()
	if events > 0 {
		b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/1e3/float64(events), "cpu-µs/event")
	}
}

// processCPU is the process CPU time (user+system, all threads) so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
