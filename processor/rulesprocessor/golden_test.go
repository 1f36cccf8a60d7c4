package rulesprocessor

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
)

// TestTaggingAndFindingsGolden checks the tags on evaluated records and the finding records
// (attributes, admin console links, placement in the same ResourceLogs) against a golden file.
func TestTaggingAndFindingsGolden(t *testing.T) {
	f := loadFixtures(t, packPosture)
	det := loadFixtures(t, packDetections)
	recs := []fixtureRecord{
		f.resolve(t, fixtureRecord{Base: "pw", Set: map[string]any{"settings.password.complexity.minLength": 8, "settings.password.lockout.maxAttempts": 10}}),
		f.resolve(t, fixtureRecord{Base: "app"}),
		f.resolve(t, fixtureRecord{Base: "app", Set: map[string]any{"id": "0oaapp9", "status": "INACTIVE"}}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "user.account.privilege.grant", Set: map[string]any{"debugContext.debugData.privilegeGranted": "Super administrator"}}),
		det.resolve(t, fixtureRecord{Base: "ev", Event: "user.session.end"}),
	}
	p, now := newTestProcessor(t, createDefaultConfig(), &consumertest.LogsSink{})
	out, err := p.processLogs(context.Background(), buildLogs(t, recs, *now))
	require.NoError(t, err)

	file := filepath.Join("testdata", "golden", "tagged_and_findings.yaml")
	// golden.WriteLogs(t, file, out)
	want, err := golden.ReadLogs(file)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(want, out))
}

// TestSummaryAndAggregateGolden checks one flush after a settled full sync (the aggregate finding
// of OKTA-POS-043 and one summary per posture rule, each with its own log.record.uid) against a
// golden file.
func TestSummaryAndAggregateGolden(t *testing.T) {
	f := loadFixtures(t, packPosture)
	cfg := createDefaultConfig()
	cfg.Params = map[string]any{"max_super_admins": 2}
	sink := &consumertest.LogsSink{}
	p, now := newTestProcessor(t, cfg, sink)
	recs := []fixtureRecord{
		f.resolve(t, fixtureRecord{Base: "superadmin", Repeat: 3}),
		f.resolve(t, fixtureRecord{Base: "user", Set: map[string]any{"status": "LOCKED_OUT"}}),
	}
	_, err := p.processLogs(context.Background(), buildLogs(t, recs, *now))
	require.NoError(t, err)
	*now = now.Add(2 * p.cfg.Summary.Interval)
	require.NoError(t, p.flush(context.Background()))
	require.Len(t, sink.AllLogs(), 1)

	file := filepath.Join("testdata", "golden", "summary_and_aggregate.yaml")
	// golden.WriteLogs(t, file, sink.AllLogs()[0])
	want, err := golden.ReadLogs(file)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(want, sink.AllLogs()[0]))
}
