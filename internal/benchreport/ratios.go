package benchreport

// ProjectRatios are the ratios BENCHMARKS.md shows for this project's benchmarks: each
// compares two benchmarks of the same run (or shows a benchmark's own ratio), so that it
// holds on a loaded machine where absolute times move.
var ProjectRatios = []Ratio{
	{
		Label: "rules: without / with the dispatch index",
		Num:   "BenchmarkRulesMixedStreamNoIndex", Den: "BenchmarkRulesMixedStream", Unit: "cpu-ns/record",
		Note: "how much CPU the index saves per record (> 1: the index is faster)",
	},
	{
		Label: "inventory: requests per full sync / minimum",
		Num:   "BenchmarkFullSync10kUsers", Unit: "requests/min-pages",
		Note: "10k-user org; the minimum is the pages the simulator's ground truth needs at Okta's page sizes; 1.00 means no request beyond them",
	},
	{
		Label: "System Log: reference decoder / ours, per 1000-event page",
		Num:   "BenchmarkDecodeAndConvertSystemLogPageReference", Den: "BenchmarkDecodeAndConvertSystemLogPage", Unit: "ns/op",
		Note: "speed-up of the streaming decoder over encoding/json + map conversion",
	},
	{
		Label: "System Log: reference decoder / ours, allocations per page",
		Num:   "BenchmarkDecodeAndConvertSystemLogPageReference", Den: "BenchmarkDecodeAndConvertSystemLogPage", Unit: "allocs/op",
		Note: "allocation saving of the streaming decoder",
	},
	{
		Label: "System Log: fetch only / whole pipeline, CPU per event",
		Num:   "BenchmarkSystemLogFetchOnly", Den: "BenchmarkSystemLogPipeline", Unit: "cpu-µs/event",
		Note: "share of the in-process simulator and HTTP in the pipeline's CPU",
	},
	{
		Label: "end to end: event hooks / polling every 2 s, p50 latency",
		Num:   "BenchmarkSystemLogLatencyEventHooks", Den: "BenchmarkSystemLogLatencyPolling", Unit: "p50-ms",
		Note: "< 1: hooks deliver sooner than the poller",
	},
	{
		Label: "end to end: 2,000-event burst / 200,000-event backfill, file exporter CPU per event",
		Num:   "BenchmarkSystemLogBurstFile/events=2000", Den: "BenchmarkSystemLogBackfillFile", Unit: "cpu-µs/event",
		Note: "what a burst into an idle collector costs per event beyond a long backfill (its fixed cost spread over 2,000 events)",
	},
	{
		Label: "end to end: production logs processors / file exporter alone, events per second",
		Num:   "BenchmarkSystemLogBackfillFileProduction", Den: "BenchmarkSystemLogBackfillFile", Unit: "events/s",
		Note: "throughput kept with memory_limiter, rules, transform and the count connector in the pipeline",
	},
	{
		Label: "end to end: GOGC=200 / Go default (GOGC=100), file exporter events per second",
		Num:   "BenchmarkSystemLogBackfillFileGOGC200", Den: "BenchmarkSystemLogBackfillFile", Unit: "events/s",
		Note: "what trading memory for fewer GC cycles buys in a System Log backfill (docs/scaling.md)",
	},
	{
		Label: "end to end: durable pipeline / file exporter, events per second",
		Num:   "BenchmarkSystemLogBackfillDurable", Den: "BenchmarkSystemLogBackfillFile", Unit: "events/s",
		Note: "throughput kept with the persistent queue and checkpoints",
	},
}
