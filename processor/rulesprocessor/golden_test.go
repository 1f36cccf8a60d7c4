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
