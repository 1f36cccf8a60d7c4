package rulesprocessor

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
)

// mixedStream builds a batch of n records: 70% System Log events of common types (sign-ins,
// SSO, MFA, a few admin events) and 30% inventory snapshots (users, factors, app users, groups,
// apps, policies, rules), roughly the mix of a busy org. Each kind cycles through its whole
// list (all ten event types and all ten inventory records appear).
func mixedStream(b testing.TB, n int) plog.Logs {
	b.Helper()
	t := b
	f := loadFixtures(t, packPosture)
	det := loadFixtures(t, packDetections)
	inv := []fixtureRecord{
		f.resolve(t, fixtureRecord{Base: "user"}),
		f.resolve(t, fixtureRecord{Base: "user", Set: map[string]any{"lastLogin": "2020-01-01T00:00:00.000Z"}}),
		f.resolve(t, fixtureRecord{Base: "factor"}),
		f.resolve(t, fixtureRecord{Type: "application_user", Body: map[string]any{"id": "00u1", "scope": "USER", "status": "ACTIVE"}}),
		f.resolve(t, fixtureRecord{Base: "group"}),
		f.resolve(t, fixtureRecord{Base: "app"}),
		f.resolve(t, fixtureRecord{Base: "pw"}),
		f.resolve(t, fixtureRecord{Base: "signon"}),
		f.resolve(t, fixtureRecord{Base: "access"}),
		f.resolve(t, fixtureRecord{Base: "superadmin"}),
	}
	events := []fixtureRecord{
		det.resolve(t, fixtureRecord{Base: "ev", Event: "user.session.start"}),
		det.resolve(t, fixtureRecord{Base: "fail", Event: "user.session.start"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "user.authentication.sso"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "user.authentication.auth_via_mfa"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "policy.evaluate_sign_on"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "user.session.end"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "app.oauth2.as.token.grant"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "user.authentication.verify"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "group.user_membership.add"}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "system.api_token.create"}),
	}
	var recs []fixtureRecord
	nEvents, nInv := 0, 0
	for i := range n {
		if i%10 < 7 {
			recs = append(recs, events[nEvents%len(events)])
			nEvents++
		} else {
			r := inv[nInv%len(inv)]
			nInv++
			r.Body = deepCopy(r.Body).(map[string]any)
			r.Body["id"] = fmt.Sprintf("%v-%d", r.Body["id"], i)
			recs = append(recs, r)
		}
	}
	ld := buildLogs(t, recs, benchStart)
	return ld
}

func benchmarkPacks(b *testing.B, evaluateAll bool) {
	cfg := createDefaultConfig()
	cfg.evaluateAll = evaluateAll
	p, _ := newTestProcessor(b, cfg, &consumertest.LogsSink{})
	const batch = 1000
	ld := mixedStream(b, batch)
	// The same batch is processed again and again; re-tagging costs the same each time and the
	// findings scope appended by the previous pass is removed outside the timer.
	dropFindings := func() {
		for _, rl := range ld.ResourceLogs().All() {
			rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool { return sl.Scope().Name() == scopeName })
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpuStart := processCPUTime(b)
	records := 0
	for i := 0; i < b.N; i++ {
		if _, err := p.processLogs(context.Background(), ld); err != nil {
			b.Fatal(err)
		}
		records += batch
		b.StopTimer()
		dropFindings()
		b.StartTimer()
	}
	// The CPU time includes the untimed dropFindings and the GC; it is the figure to trust on a
	// loaded machine, where wall time also counts waiting for a core.
	cpu := processCPUTime(b) - cpuStart
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(records), "cpu-ns/record")
	b.ReportMetric(float64(records)/cpu.Seconds(), "records/cpu-s")
}

// BenchmarkRulesMixedStream: full packs on a mixed stream, with the dispatch index.
func BenchmarkRulesMixedStream(b *testing.B) { benchmarkPacks(b, false) }

// BenchmarkRulesMixedStreamNoIndex: the same run trying every rule on every record.
func BenchmarkRulesMixedStreamNoIndex(b *testing.B) { benchmarkPacks(b, true) }

// processCPUTime is the user+system CPU time of this process so far.
func processCPUTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var benchStart = mustTime("2026-06-01T12:00:00Z")

// BenchmarkTargetTest compares the two ways of asking "is one of the event's targets the Admin
// Console" on a sign-in event with two targets, neither of them the Admin Console (the common
// case, which reads every target): rendering the list as JSON, and reading each displayName.
func BenchmarkTargetTest(b *testing.B) {
	body := loadFixtures(b, packDetections).resolve(b, fixtureRecord{Base: "ev", Set: map[string]any{
		"target": []any{enrollment("password"), dashboardTarget},
	}}).Body
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	sl := rl.ScopeLogs().AppendEmpty()
	lr := sl.LogRecords().AppendEmpty()
	if err := setSorted(lr.Body(), body); err != nil {
		b.Fatal(err)
	}
	parser, err := newLogParser(nopTelemetry())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, cond string }{
		{"String", `IsMatch(String(log.body["target"]), "Okta Admin Console")`},
		{"AnyElementMatches", `AnyElementMatches(log.body["target"], ["displayName"], "Okta Admin Console")`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cond, err := parser.ParseCondition(bc.cond)
			if err != nil {
				b.Fatal(err)
			}
			rec := &recordEval{ctx: context.Background(), rl: rl, sl: sl, lr: lr}
			defer rec.done()
			b.ReportAllocs()
			for b.Loop() {
				if v, err := cond.Eval(context.Background(), rec.transformContext()); err != nil || v {
					b.Fatalf("got %v, %v; want false", v, err)
				}
			}
		})
	}
}
