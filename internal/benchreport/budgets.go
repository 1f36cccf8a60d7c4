package benchreport

import (
	"fmt"
	"strings"
)

// Budget is a limit a figure users feel must stay within: the median of Bench's Unit over
// the runs of this build, set beside the same benchmark measured on the baseline build
// (scripts/bench.sh with BENCH_BASELINE) when the run has one.
type Budget struct {
	Label  string  // what is measured, e.g. "System Log backfill, file exporter"
	Bench  string  // benchmark name (sub-benchmark path included)
	Unit   string  // metric, e.g. "cpu-µs/event"
	Limit  float64 // the budget
	AtMost bool    // true: the figure must be <= Limit; false: >= Limit
}

// ProjectBudgets are the budgets BENCHMARKS.md checks.
var ProjectBudgets = []Budget{
	{Label: "System Log backfill of 200,000 events, file exporter: collector CPU per event",
		Bench: "BenchmarkSystemLogBackfillFile", Unit: "cpu-µs/event", Limit: 90, AtMost: true},
	{Label: "System Log burst of 2,000 events into an idle collector, file exporter: collector CPU per event",
		Bench: "BenchmarkSystemLogBurstFile/events=2000", Unit: "cpu-µs/event", Limit: 120, AtMost: true},
	{Label: "inventory full sync of a 100k-user org: collector peak RSS",
		Bench: "BenchmarkFullSyncBinary/users=100k", Unit: "peak-rss-MiB", Limit: 320, AtMost: true},
	{Label: "rules processor, both packs: records per CPU second",
		Bench: "BenchmarkRulesMixedStream", Unit: "records/cpu-s", Limit: 200_000, AtMost: false},
}

// BaselinePrefix marks, in the results map, the results of the baseline build; a section
// whose title starts with BaselineTitlePrefix measured the baseline build.
const (
	BaselinePrefix      = "baseline:"
	BaselineTitlePrefix = "baseline "
)

// renderBudgets writes the budgets table; baseline is the baseline build's name ("" when the
// run measured none).
func renderBudgets(b *strings.Builder, budgets []Budget, all map[string][]Result, baseline string) {
	if len(budgets) == 0 {
		return
	}
	b.WriteString("## Budgets\n\n")
	b.WriteString("Each figure is the median of the runs of this build in this report.")
	if baseline != "" {
		b.WriteString(" The baseline column is the same benchmark, in the same run, measured on " + baseline +
			" (end to end: the baseline's binary driven by this build's simulator and harness; in process: the baseline's own benchmark code).")
	}
	b.WriteString("\n\n")
	if baseline != "" {
		b.WriteString("| budget | limit | this build | baseline | within |\n|---|---:|---:|---:|---|\n")
	} else {
		b.WriteString("| budget | limit | this build | within |\n|---|---:|---:|---|\n")
	}
	for _, q := range budgets {
		limit := "≤ "
		if !q.AtMost {
			limit = "≥ "
		}
		limit += formatNumber(q.Limit) + " " + q.Unit
		cur, ok := medianMetric(all[q.Bench], q.Unit)
		curS, within := "not measured", "not measured"
		if ok {
			curS = formatNumber(cur)
			within = "no"
			if (q.AtMost && cur <= q.Limit) || (!q.AtMost && cur >= q.Limit) {
				within = "yes"
			}
		}
		label := q.Label + " (`" + strings.TrimPrefix(q.Bench, "Benchmark") + "`)"
		if baseline != "" {
			baseS := "not measured"
			if v, ok := medianMetric(all[BaselinePrefix+q.Bench], q.Unit); ok {
				baseS = formatNumber(v)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", cell(label), cell(limit), curS, baseS, within)
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", cell(label), cell(limit), curS, within)
	}
	b.WriteString("\n")
}
