package rulesprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadata"
	"github.com/otelcol-okta/otelcol-okta/processor/rulesprocessor/internal/metadatatest"
)

// countCandidates is the number of rules the index offers for keys.
func countCandidates(ix *ruleIndex, k recordKeys) int {
	n := 0
	ix.candidates(k, func(*compiledRule) bool { n++; return true })
	return n
}

// TestDispatchEvaluatesOnlyApplicableRules checks, through the processor's own telemetry, that
// a record evaluates only the rules of its resource type (or event name).
func TestDispatchEvaluatesOnlyApplicableRules(t *testing.T) {
	f := loadFixtures(t, packPosture)
	det := loadFixtures(t, packDetections)
	cases := []struct {
		name   string
		rec    fixtureRecord
		expect func(r *compiledRule) bool
	}{
		{"user", f.resolve(t, fixtureRecord{Base: "user"}), func(r *compiledRule) bool { return contains(r.AppliesTo.ResourceTypes, "user") }},
		{"password policy", f.resolve(t, fixtureRecord{Base: "pw"}), func(r *compiledRule) bool {
			return contains(r.AppliesTo.ResourceTypes, "policy") && (len(r.AppliesTo.PolicyTypes) == 0 || contains(r.AppliesTo.PolicyTypes, "PASSWORD"))
		}},
		{"session start", det.resolve(t, fixtureRecord{Base: "ev", Event: "user.session.start"}), func(r *compiledRule) bool {
			return contains(r.AppliesTo.EventNames, "user.session.start") || contains(r.AppliesTo.EventNames, "*")
		}},
		{"idp event via prefix", det.resolve(t, fixtureRecord{Base: "ev", Event: "system.idp.lifecycle.update"}), func(r *compiledRule) bool {
			return contains(r.AppliesTo.EventNames, "system.idp.lifecycle.*") || contains(r.AppliesTo.EventNames, "*")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tt := componenttest.NewTelemetry()
			t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
			set := metadatatest.NewSettings(tt)
			p, err := newRulesProcessor(set, createDefaultConfig(), &consumertest.LogsSink{})
			require.NoError(t, err)
			want := 0
			for _, r := range p.rules.rules {
				if tc.expect(r) {
					want++
				}
			}
			require.Positive(t, want)
			require.Less(t, want, len(p.rules.rules)/4, "a record must see a small share of the packs")
			_, err = p.processLogs(context.Background(), buildLogs(t, []fixtureRecord{tc.rec}, p.now()))
			require.NoError(t, err)
			metadatatest.AssertEqualProcessorRulesEvaluations(t, tt, []metricdata.DataPoint[int64]{{
				Value:      int64(want),
				Attributes: attribute.NewSet(attribute.String("processor", set.ID.String())),
			}}, metricdatatest.IgnoreTimestamp())
		})
	}
}

// TestDispatchDisabledEvaluatesEverything is the control: without the index every rule is tried.
func TestDispatchDisabledEvaluatesEverything(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.evaluateAll = true
	rs, err := compileRuleSet(cfg, nopTelemetry())
	require.NoError(t, err)
	assert.Equal(t, len(rs.rules), countCandidates(rs.index, recordKeys{kind: kindInventory, resourceType: "user"}))
	on, err := compileRuleSet(createDefaultConfig(), nopTelemetry())
	require.NoError(t, err)
	assert.Less(t, countCandidates(on.index, recordKeys{kind: kindInventory, resourceType: "user"}), 10)
	assert.Zero(t, countCandidates(on.index, recordKeys{kind: kindSummary}))
}

// TestUserRuleKeysAreDerived puts a user rule with a simple match into its bucket, and one with
// a complex match into the fallback bucket.
func TestUserRuleKeysAreDerived(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Packs = nil
	cfg.Rules = []RuleConfig{
		{ID: "U-1", Name: "a", Severity: "low", Category: "detection", Match: `log.event_name == "user.session.start" and log.body["x"] == 1`, Condition: "true"},
		{ID: "U-2", Name: "b", Severity: "low", Category: "detection", Match: `log.event_name == "a" or log.event_name == "b"`, Condition: "true"},
	}
	rs, err := compileRuleSet(cfg, nopTelemetry())
	require.NoError(t, err)
	assert.Equal(t, 2, countCandidates(rs.index, recordKeys{kind: kindSystemLog, eventName: "user.session.start"}))
	assert.Equal(t, 1, countCandidates(rs.index, recordKeys{kind: kindSystemLog, eventName: "other"}), "fallback only")
	assert.Len(t, rs.index.fallback, 1)
	_ = metadata.Type
}

func contains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}
