package rulesprocessor

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/signaltometricsconnector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/connector/xconnector"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// gaugeConnectorConfig is the signaltometrics connector configuration that turns summary records
// into the okta.compliance.failing_resources gauge (the one the README documents).
var gaugeConnectorConfig = map[string]any{
	"error_mode": "ignore",
	"logs": []any{map[string]any{
		"name":                        "okta.compliance.failing_resources",
		"description":                 "Okta resources currently failing a posture rule.",
		"unit":                        "{resource}",
		"conditions":                  []any{`log.event_name == "okta.compliance.summary"`},
		"include_resource_attributes": []any{map[string]any{"key": "okta.org.url"}},
		"attributes": []any{
			map[string]any{"key": "security_rule.uuid"},
			map[string]any{"key": "security_rule.name"},
			map[string]any{"key": "compliance.severity"},
		},
		"gauge": map[string]any{"value": `log.attributes["compliance.failing_count"]`},
	}},
}

// newGaugeConnector builds the real signaltometrics connector feeding a metrics sink.
func newGaugeConnector(t *testing.T, sink *consumertest.MetricsSink) func(context.Context, *consumertest.LogsSink) {
	t.Helper()
	f := signaltometricsconnector.NewFactory()
	cfg := f.CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(gaugeConnectorConfig).Unmarshal(cfg))
	require.NoError(t, confmap.Validate(cfg))
	xf, ok := f.(xconnector.Factory)
	require.True(t, ok)
	conn, err := xf.CreateLogsToMetrics(context.Background(), connectortest.NewNopSettings(f.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, conn.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, conn.Shutdown(context.Background())) })
	return func(ctx context.Context, logs *consumertest.LogsSink) {
		for _, ld := range logs.AllLogs() {
			require.NoError(t, conn.ConsumeLogs(ctx, ld))
		}
		logs.Reset()
	}
}

// lastGauge returns the value of the failing-resources gauge of rule in the last metrics batch.
func lastGauge(t *testing.T, sink *consumertest.MetricsSink, rule string) int64 {
	t.Helper()
	all := sink.AllMetrics()
	require.NotEmpty(t, all, "no metrics from the connector")
	md := all[len(all)-1]
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != "okta.compliance.failing_resources" || m.Type() != pmetric.MetricTypeGauge {
					continue
				}
				for _, dp := range m.Gauge().DataPoints().All() {
					if v, ok := dp.Attributes().Get("security_rule.uuid"); ok && v.Str() == rule {
						sev, _ := dp.Attributes().Get("compliance.severity")
						assert.NotEmpty(t, sev.Str())
						return dp.IntValue()
					}
				}
			}
		}
	}
	t.Fatalf("no gauge data point for %s", rule)
	return 0
}

// TestGaugeFallsOnFixAndDelete follows POS-050 (dormant users) through a full sync, an update
// that fixes one user, a deletion, and a second full sync that no longer lists a user.
func TestGaugeFallsOnFixAndDelete(t *testing.T) {
	ctx := context.Background()
	logs := &consumertest.LogsSink{}
	metrics := &consumertest.MetricsSink{}
	toMetrics := newGaugeConnector(t, metrics)
	p, now := newTestProcessor(t, createDefaultConfig(), logs)
	interval := p.cfg.Summary.Interval
	f := loadFixtures(t, packPosture)
	user := func(id, lastLogin string, extra fixtureRecord) fixtureRecord {
		r := f.resolve(t, fixtureRecord{Base: "user", Set: map[string]any{"id": id, "lastLogin": lastLogin}, Change: extra.Change, Attrs: extra.Attrs})
		return r
	}
	step := func(recs ...fixtureRecord) int64 {
		_, err := p.processLogs(ctx, buildLogs(t, recs, *now))
		require.NoError(t, err)
		*now = now.Add(2 * interval)
		require.NoError(t, p.flush(ctx))
		toMetrics(ctx, logs)
		return lastGauge(t, metrics, "OKTA-POS-050")
	}

	// Full sync 1: three dormant users, one active one.
	assert.Equal(t, int64(3), step(
		user("00ua", "NOW-2000h", fixtureRecord{}), user("00ub", "NOW-2000h", fixtureRecord{}),
		user("00uc", "NOW-2000h", fixtureRecord{}), user("00ud", "NOW-1h", fixtureRecord{})))
	// 00ua signs in: an update makes it compliant.
	assert.Equal(t, int64(2), step(user("00ua", "NOW-1h", fixtureRecord{Change: "updated"})))
	// 00ub is deleted.
	assert.Equal(t, int64(1), step(user("00ub", "NOW-2000h", fixtureRecord{Change: changeDeleted})))
	// Full sync 2 lists 00ua, 00ud and a new dormant 00ue, but not 00uc (deleted without an event):
	// once the sync has settled, 00uc is swept.
	assert.Equal(t, int64(1), step(
		user("00ua", "NOW-1h", fixtureRecord{Attrs: map[string]any{attrSyncID: "sync-2"}}),
		user("00ud", "NOW-1h", fixtureRecord{Attrs: map[string]any{attrSyncID: "sync-2"}}),
		user("00ue", "NOW-2000h", fixtureRecord{Attrs: map[string]any{attrSyncID: "sync-2"}})))
	// Summary records carry every posture rule, zeros included, so untouched rules read 0.
	assert.Equal(t, int64(0), lastGauge(t, metrics, "OKTA-POS-001"))
}

// TestAggregateSuperAdmins counts SUPER_ADMIN assignments across records and raises one finding
// when the org passes max_super_admins, then reports 0 again once assignments are removed.
func TestAggregateSuperAdmins(t *testing.T) {
	ctx := context.Background()
	logs := &consumertest.LogsSink{}
	cfg := createDefaultConfig()
	cfg.Params = map[string]any{"max_super_admins": 2}
	p, now := newTestProcessor(t, cfg, logs)
	f := loadFixtures(t, packPosture)
	admins := f.resolve(t, fixtureRecord{Base: "superadmin", Repeat: 3})
	_, err := p.processLogs(ctx, buildLogs(t, []fixtureRecord{admins}, *now))
	require.NoError(t, err)

	// Before the sync settles, aggregates are not judged.
	require.NoError(t, p.flush(ctx))
	assert.Zero(t, countFindings(logs, "OKTA-POS-043"))
	*now = now.Add(2 * p.cfg.Summary.Interval)
	require.NoError(t, p.flush(ctx))
	assert.Equal(t, 1, countFindings(logs, "OKTA-POS-043"))
	// Still failing at the next flush: no second finding.
	require.NoError(t, p.flush(ctx))
	assert.Equal(t, 1, countFindings(logs, "OKTA-POS-043"))

	removed := f.resolve(t, fixtureRecord{Base: "superadmin", Change: changeDeleted})
	removed.Body["id"] = "irasa1-0"
	_, err = p.processLogs(ctx, buildLogs(t, []fixtureRecord{removed}, *now))
	require.NoError(t, err)
	logs.Reset()
	require.NoError(t, p.flush(ctx))
	assert.Equal(t, int64(0), summaryCount(logs, "OKTA-POS-043"))
}

func countFindings(logs *consumertest.LogsSink, rule string) int {
	n := 0
	for _, ld := range logs.AllLogs() {
		forEachRecord(ld, func(lr plog.LogRecord) {
			if id, ok := lr.Attributes().Get(attrRuleUUID); ok && id.Str() == rule && lr.EventName() == eventFinding {
				n++
			}
		})
	}
	return n
}

func summaryCount(logs *consumertest.LogsSink, rule string) int64 {
	v := int64(-1)
	for _, ld := range logs.AllLogs() {
		forEachRecord(ld, func(lr plog.LogRecord) {
			if id, ok := lr.Attributes().Get(attrRuleUUID); ok && id.Str() == rule && lr.EventName() == eventSummary {
				c, _ := lr.Attributes().Get(attrFailingCount)
				v = c.Int()
			}
		})
	}
	return v
}

var _ component.Config = (*Config)(nil)
