package benchreport

import (
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor
cpu: Example CPU @ 2.00GHz
BenchmarkRulesMixedStream-2          	     300	   3900000 ns/op	    256401 records/s	      3900 ns/record	      4100 cpu-ns/record	    243902 records/cpu-s	  120000 B/op	    900 allocs/op
BenchmarkRulesMixedStreamNoIndex-2   	     100	  11000000 ns/op	     90909 records/s	     11000 ns/record	     12300 cpu-ns/record	     81300 records/cpu-s	  150000 B/op	   1200 allocs/op
BenchmarkFullSync10kUsers-2
    bench_test.go:99: some log line from the benchmark
       1	4012345678 ns/op	 1.020 requests/min-pages	 123.0 requests/sync
BenchmarkSystemLogLatencyPolling-2   	       1	61000000000 ns/op	      1500 events	      1100 p50-ms	      2200 p99-ms
BenchmarkSystemLogLatencyEventHooks-2	       1	61000000000 ns/op	      1500 events	       110.5 p50-ms	       400 p99-ms
Benchmark results are printed above
PASS
ok  	github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor	12.3s
`

func TestParseResults(t *testing.T) {
	res, err := Parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 5 {
		t.Fatalf("got %d results, want 5: %+v", len(res), res)
	}
	first := res[0]
	if first.Name != "BenchmarkRulesMixedStream" || first.Procs != 2 || first.Runs != 300 {
		t.Errorf("first result = %+v", first)
	}
	if v, ok := first.Metric("cpu-ns/record"); !ok || v != 4100 {
		t.Errorf("cpu-ns/record = %v, %v", v, ok)
	}
	if v, ok := first.Metric("allocs/op"); !ok || v != 900 {
		t.Errorf("allocs/op = %v, %v", v, ok)
	}
	split := res[2]
	if split.Name != "BenchmarkFullSync10kUsers" || split.Runs != 1 {
		t.Errorf("the result interrupted by a log line was not joined: %+v", split)
	}
	if v, _ := split.Metric("requests/min-pages"); v != 1.02 {
		t.Errorf("requests/min-pages = %v, want 1.02", v)
	}
	if e2e := res[3]; e2e.Procs != 2 || e2e.Name != "BenchmarkSystemLogLatencyPolling" {
		t.Errorf("e2e result = %+v", e2e)
	}
	bare, err := Parse(strings.NewReader("BenchmarkBare\t1\t7 events/s\n"))
	if err != nil || len(bare) != 1 || bare[0].Procs != 0 || bare[0].Name != "BenchmarkBare" {
		t.Errorf("a line without a procs suffix = %+v, %v", bare, err)
	}
}

func TestParseRejectsMalformedFigures(t *testing.T) {
	_, err := Parse(strings.NewReader("BenchmarkX-2\t10\tabc ns/op\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "BenchmarkX") {
		t.Fatalf("want an error naming line 1 and the benchmark, got %v", err)
	}
	_, err = Parse(strings.NewReader("BenchmarkX-2\t10\t5 ns/op\t7\n"))
	if err == nil || !strings.Contains(err.Error(), "pairs") {
		t.Fatalf("want an error about value/unit pairs, got %v", err)
	}
}

func TestRenderRatiosAndTables(t *testing.T) {
	res, err := Parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = Render(&b, Report{
		Date:    "2026-01-01 00:00 UTC",
		Machine: [][2]string{{"CPU", "Example CPU"}, {"cores", "2"}},
		Sections: []Section{
			{Title: "rules", Command: "go test -bench . ./processor/rulesprocessor/", Results: res[:3]},
			{Title: "e2e", Command: "./scripts/bench-latency.sh all", Results: res[3:], Failed: true},
		},
		Ratios: ProjectRatios,
	})
	if err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| CPU | Example CPU |",
		"| rules: without / with the dispatch index | **3.00×** |",
		"| inventory: requests per full sync / minimum | **1.02** |",
		"| end to end: event hooks / polling every 2 s, p50 latency | **0.10×** |",
		"| System Log: reference decoder / ours, per 1000-event page | not measured |",
		"| `BenchmarkRulesMixedStream` | 300 | 3900000 ns/op · 256401 records/s",
		"**The command failed; the figures below are partial.**",
		"```sh\ngo test -bench . ./processor/rulesprocessor/\n```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for in, want := range map[float64]string{3: "3", 1234.56: "1235", 12.345: "12.3", 0.01234: "0.0123", 1.02: "1.02"} {
		if got := formatNumber(in); got != want {
			t.Errorf("formatNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestRatioUsesTheMedianOfRepeatedRuns: a benchmark that ran several times enters a ratio
// with the median of its runs, not with whichever run came last.
func TestRatioUsesTheMedianOfRepeatedRuns(t *testing.T) {
	out := `BenchmarkSystemLogBackfillFile-2	1	9000000000 ns/op	20000 events/s	50 cpu-µs/event
BenchmarkSystemLogBackfillDurable-2	1	9000000000 ns/op	5000 events/s
BenchmarkSystemLogBackfillFile-2	1	9000000000 ns/op	10000 events/s	70 cpu-µs/event
BenchmarkSystemLogBackfillDurable-2	1	9000000000 ns/op	7000 events/s
BenchmarkSystemLogBackfillFile-2	1	9000000000 ns/op	16000 events/s	60 cpu-µs/event
BenchmarkSystemLogBackfillDurable-2	1	9000000000 ns/op	3000 events/s
BenchmarkSystemLogBackfillFileProduction-2	1	9000000000 ns/op	12000 events/s
BenchmarkSystemLogBackfillFileProduction-2	1	9000000000 ns/op	14000 events/s
BenchmarkSystemLogBurstFile/events=2000-2	1	9000000000 ns/op	90 cpu-µs/event
`
	res, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Render(&b, Report{Sections: []Section{{Title: "e2e", Results: res}}, Ratios: ProjectRatios}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| end to end: durable pipeline / file exporter, events per second | **0.31×** |",                     // 5000 / 16000
		"| end to end: production logs processors / file exporter alone, events per second | **0.81×** |",     // 13000 / 16000
		"| end to end: 2,000-event burst / 200,000-event backfill, file exporter CPU per event | **1.50×** |", // 90 / 60
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
