package benchreport

import (
	"strings"
	"testing"
)

func TestBudgetsSetThisBuildBesideTheBaseline(t *testing.T) {
	cur, err := Parse(strings.NewReader(sampleOutput)) // RulesMixedStream: 243902 records/cpu-s
	if err != nil {
		t.Fatal(err)
	}
	old, err := Parse(strings.NewReader("BenchmarkRulesMixedStream-2\t100\t5000 ns/op\t190000 records/cpu-s\n"))
	if err != nil {
		t.Fatal(err)
	}
	budgets := []Budget{
		{Label: "rules", Bench: "BenchmarkRulesMixedStream", Unit: "records/cpu-s", Limit: 200_000},
		{Label: "burst", Bench: "BenchmarkSystemLogBurstFile/events=2000", Unit: "cpu-µs/event", Limit: 120, AtMost: true},
	}
	var b strings.Builder
	err = Render(&b, Report{Date: "d", Budgets: budgets, Baseline: "commit abc1234", Sections: []Section{
		{Title: "rules", Command: "go test", Results: cur},
		{Title: BaselineTitlePrefix + "rules", Command: "go test (baseline)", Results: old, Baseline: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"## Budgets",
		"measured on commit abc1234",
		"| rules (`RulesMixedStream`) | ≥ 200000 records/cpu-s | 243902 | 190000 | yes |",
		"| burst (`SystemLogBurstFile/events=2000`) | ≤ 120 cpu-µs/event | not measured | not measured | not measured |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestBudgetOutsideItsLimitSaysNo(t *testing.T) {
	res, err := Parse(strings.NewReader("BenchmarkSystemLogBackfillFile-2\t1\t1 ns/op\t95.5 cpu-µs/event\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	budgets := []Budget{{Label: "backfill", Bench: "BenchmarkSystemLogBackfillFile", Unit: "cpu-µs/event", Limit: 90, AtMost: true}}
	if err := Render(&b, Report{Budgets: budgets, Sections: []Section{{Title: "e2e", Results: res}}}); err != nil {
		t.Fatal(err)
	}
	if want := "| backfill (`SystemLogBackfillFile`) | ≤ 90 cpu-µs/event | 95.5 | no |"; !strings.Contains(b.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, b.String())
	}
}
