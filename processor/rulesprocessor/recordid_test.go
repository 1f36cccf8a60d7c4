package rulesprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
)

// outRecord is a record the processor created, with what the record-id checks need.
type outRecord struct {
	kind, rule, uid, event string
}

// createdRecords returns the findings and summaries in ld (the records the processor wrote).
func createdRecords(ld plog.Logs) []outRecord {
	var out []outRecord
	forEachRecord(ld, func(lr plog.LogRecord) {
		a := lr.Attributes()
		kind, _ := a.Get(attrRecordKind)
		if kind.Str() != kindFinding && kind.Str() != kindSummary {
			return
		}
		r := outRecord{kind: kind.Str()}
		if v, ok := a.Get(attrRuleUUID); ok {
			r.rule = v.Str()
		}
		if v, ok := a.Get(attrLogRecordUID); ok {
			r.uid = v.Str()
		}
		if v, ok := a.Get(attrEventUUID); ok {
			r.event = v.Str()
		}
		out = append(out, r)
	})
	return out
}

// runBatches processes the batches (built from the same fixture records each time) with a fresh
// processor, then settles and flushes; it returns every record the processor created.
func runBatches(t *testing.T, cfg *Config, batches ...func() plog.Logs) []outRecord {
	t.Helper()
	sink := &consumertest.LogsSink{}
	p, now := newTestProcessor(t, cfg, sink)
	var out []outRecord
	for _, build := range batches {
		ld, err := p.processLogs(context.Background(), build())
		require.NoError(t, err)
		out = append(out, createdRecords(ld)...)
	}
	*now = now.Add(2 * p.cfg.Summary.Interval)
	require.NoError(t, p.flush(context.Background()))
	for _, ld := range sink.AllLogs() {
		out = append(out, createdRecords(ld)...)
	}
	return out
}

// requireDistinctUIDs checks that every created record has a log.record.uid and that no two
// share one.
func requireDistinctUIDs(t *testing.T, recs []outRecord) {
	t.Helper()
	seen := map[string]outRecord{}
	for _, r := range recs {
		require.NotEmpty(t, r.uid, "%s of %s has no log.record.uid", r.kind, r.rule)
		prev, dup := seen[r.uid]
		require.False(t, dup, "%s of %s and %s of %s share log.record.uid %s", prev.kind, prev.rule, r.kind, r.rule, r.uid)
		seen[r.uid] = r
	}
}

func findingsOf(recs []outRecord, rule string) []outRecord {
	var out []outRecord
	for _, r := range recs {
		if r.kind == kindFinding && r.rule == rule {
			out = append(out, r)
		}
	}
	return out
}

// TestRecordIDInventoryFinding: a finding about an inventory record has an id of its own (not
// the record's), the same when the record is delivered again, different for another resource.
func TestRecordIDInventoryFinding(t *testing.T) {
	f := loadFixtures(t, packPosture)
	batch := func(ids ...string) func() plog.Logs {
		return func() plog.Logs {
			var recs []fixtureRecord
			for _, id := range ids {
				recs = append(recs, f.resolve(t, fixtureRecord{Base: "app", Set: map[string]any{"id": id, "status": "INACTIVE"},
					Change: "updated", Attrs: map[string]any{attrLogRecordUID: "change-" + id, attrEventUUID: "event-" + id}}))
			}
			return buildLogs(t, recs, benchStart)
		}
	}
	first := findingsOf(runBatches(t, createDefaultConfig(), batch("0oa1", "0oa2")), "OKTA-POS-048")
	again := findingsOf(runBatches(t, createDefaultConfig(), batch("0oa1", "0oa2")), "OKTA-POS-048")
	require.Len(t, first, 2)
	assert.Equal(t, first, again, "the same records re-delivered give the same findings and ids")
	requireDistinctUIDs(t, first)
	for i, id := range []string{"0oa1", "0oa2"} {
		assert.NotEqual(t, "change-"+id, first[i].uid, "the finding must not reuse the inventory record's id")
		assert.Equal(t, "event-"+id, first[i].event, "the event behind the change stays linked in okta.event.uuid")
	}
}

// TestRecordIDEventFinding: a finding raised by a System Log event keeps the event's uuid in
// okta.event.uuid only; its own id is stable across re-delivery and differs per rule and event.
func TestRecordIDEventFinding(t *testing.T) {
	det := loadFixtures(t, packDetections)
	batch := func() plog.Logs {
		return buildLogs(t, []fixtureRecord{
			det.resolve(t, fixtureRecord{Base: "ev", Event: "user.account.privilege.grant", Set: map[string]any{"debugContext.debugData.privilegeGranted": "Super administrator"}}),
			det.resolve(t, fixtureRecord{Base: "ev", Event: "user.account.privilege.grant", Set: map[string]any{"debugContext.debugData.privilegeGranted": "Super administrator"}}),
		}, benchStart)
	}
	first := runBatches(t, createDefaultConfig(), batch)
	again := runBatches(t, createDefaultConfig(), batch)
	var events []outRecord
	for _, r := range first {
		if r.kind == kindFinding {
			events = append(events, r)
		}
	}
	require.Len(t, events, 4, "two rules (OKTA-DET-001, OKTA-DET-002) on each of two events")
	assert.Equal(t, first, again)
	requireDistinctUIDs(t, first)
	for _, r := range events {
		assert.Contains(t, []string{"uuid-1", "uuid-2"}, r.event, "okta.event.uuid is the event's uuid")
		assert.NotEqual(t, r.event, r.uid, "the finding's log.record.uid must not be the event's uuid")
	}
}

// TestRecordIDThresholdFinding: a threshold finding links the event that completed the window
// and has its own id.
func TestRecordIDThresholdFinding(t *testing.T) {
	det := loadFixtures(t, packDetections)
	batch := func() plog.Logs {
		return buildLogs(t, []fixtureRecord{det.resolve(t, fixtureRecord{Base: "fail", Event: "user.session.start", Repeat: 5})}, benchStart)
	}
	first := findingsOf(runBatches(t, createDefaultConfig(), batch), "OKTA-DET-040")
	again := findingsOf(runBatches(t, createDefaultConfig(), batch), "OKTA-DET-040")
	require.Len(t, first, 1)
	assert.Equal(t, first, again)
	assert.Equal(t, "uuid-5", first[0].event, "the fifth failure completed the window")
	assert.NotEqual(t, first[0].event, first[0].uid)
	assert.NotEmpty(t, first[0].uid)
}

// TestRecordIDAggregateFinding: an aggregate finding is per org: two orgs failing the same rule
// at the same flush get different ids (even with no org id known yet), the same run twice the
// same ids.
func TestRecordIDAggregateFinding(t *testing.T) {
	f := loadFixtures(t, packPosture)
	cfg := createDefaultConfig()
	cfg.Params = map[string]any{"max_super_admins": 2}
	batch := func() plog.Logs {
		ld := plog.NewLogs()
		for _, org := range []string{"https://acme.okta.com", "https://globex.okta.com"} {
			one := buildLogs(t, []fixtureRecord{f.resolve(t, fixtureRecord{Base: "superadmin", Repeat: 3})}, benchStart)
			rl := one.ResourceLogs().At(0)
			rl.Resource().Attributes().PutStr(attrOrgURL, org)
			rl.Resource().Attributes().Remove(attrOrgID)
			rl.MoveTo(ld.ResourceLogs().AppendEmpty())
		}
		return ld
	}
	first := runBatches(t, cfg, batch)
	again := runBatches(t, cfg, batch)
	agg := findingsOf(first, "OKTA-POS-043")
	require.Len(t, agg, 2, "one aggregate finding per org")
	assert.Equal(t, agg, findingsOf(again, "OKTA-POS-043"))
	requireDistinctUIDs(t, first)
	for _, r := range agg {
		assert.Empty(t, r.event, "an aggregate finding is raised by no event")
	}
}

// TestRecordIDSummary: every summary record has an id; ids differ per rule, org and flush, and
// the same flush built again gives the same ids.
func TestRecordIDSummary(t *testing.T) {
	f := loadFixtures(t, packPosture)
	build := func() (*rulesProcessor, *consumertest.LogsSink) {
		sink := &consumertest.LogsSink{}
		p, now := newTestProcessor(t, createDefaultConfig(), sink)
		_, err := p.processLogs(context.Background(), buildLogs(t, []fixtureRecord{f.resolve(t, fixtureRecord{Base: "user"})}, benchStart))
		require.NoError(t, err)
		*now = now.Add(2 * p.cfg.Summary.Interval)
		return p, sink
	}
	p1, sink1 := build()
	require.NoError(t, p1.flush(context.Background()))
	p2, sink2 := build()
	require.NoError(t, p2.flush(context.Background()))
	first, again := createdRecords(sink1.AllLogs()[0]), createdRecords(sink2.AllLogs()[0])
	summaries := 0
	for _, r := range first {
		if r.kind == kindSummary {
			summaries++
		}
	}
	require.Equal(t, len(p1.postureRules), summaries, "one summary per posture rule")
	assert.Equal(t, first, again, "the same flush gives the same ids")
	requireDistinctUIDs(t, first)

	next := p1.now().Add(p1.cfg.Summary.Interval)
	p1.now = func() time.Time { return next }
	require.NoError(t, p1.flush(context.Background()))
	requireDistinctUIDs(t, append(first, createdRecords(sink1.AllLogs()[1])...))
}

// TestRecordIDsAcrossKinds runs inventory records, events and a threshold through one processor
// and flushes: no two created records share an id, and none reuses an input record's id.
func TestRecordIDsAcrossKinds(t *testing.T) {
	f := loadFixtures(t, packPosture)
	det := loadFixtures(t, packDetections)
	batch := func() plog.Logs {
		return buildLogs(t, []fixtureRecord{
			f.resolve(t, fixtureRecord{Base: "pw", Set: map[string]any{"settings.password.complexity.minLength": 8}}),
			f.resolve(t, fixtureRecord{Base: "app", Set: map[string]any{"status": "INACTIVE"}}),
			det.resolve(t, fixtureRecord{Base: "fail", Event: "user.session.start", Repeat: 5}),
			det.resolve(t, fixtureRecord{Base: "ev", Event: "system.api_token.create"}),
		}, benchStart)
	}
	recs := runBatches(t, createDefaultConfig(), batch)
	requireDistinctUIDs(t, recs)
	kinds := map[string]bool{}
	for _, r := range recs {
		kinds[r.kind] = true
		assert.NotRegexp(t, `^uuid-\d+$`, r.uid, "%s of %s carries an input event's uuid as its id", r.kind, r.rule)
	}
	assert.True(t, kinds[kindFinding] && kinds[kindSummary])
}
